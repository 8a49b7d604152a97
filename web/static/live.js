// Live enough: a page drawn at a revision asks every few seconds whether its revision changed
// (GET data-revision-url) and reloads itself when it did. Pauses while the tab is hidden.
(function () {
  const body = document.body;
  const url = body.dataset.revisionUrl;
  if (!url) return;
  const drawnAt = Number(body.dataset.revision);
  const every = Number(body.dataset.pollMs || 2000);
  async function check() {
    if (document.hidden) return;
    try {
      const answer = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (answer.status === 401) { window.location.assign('/signin'); return; }
      if (!answer.ok) return;
      const { revision } = await answer.json();
      if (revision !== drawnAt) window.location.reload();
    } catch (err) { /* the server is restarting: ask again next time */ }
  }
  window.setInterval(check, every);
})();
