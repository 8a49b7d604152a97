// A task page: renders the task's form (a form-js schema from the server) with form-js's viewer and
// posts what the person entered to the engine, which validates it with the same model as the CLI.
// The server's answer is shown as it is: its field messages, or a refusal; nothing else decides.
(function () {
  const body = document.body;
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const schema = read('form-schema');
  const lists = new Set(read('form-lists'));
  const words = read('form-words');
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const messages = document.getElementById('messages');

  function say(kind, title, lines) {
    messages.replaceChildren();
    const box = document.createElement('div');
    box.className = kind;
    box.setAttribute('role', 'alert');
    const head = document.createElement('p');
    head.textContent = title;
    box.appendChild(head);
    if (lines && lines.length) {
      const list = document.createElement('ul');
      for (const line of lines) {
        const item = document.createElement('li');
        item.textContent = line;
        list.appendChild(item);
      }
      box.appendChild(list);
    }
    messages.appendChild(box);
  }

  // free-word lists are typed one entry per line; the engine takes them as lists
  function splitLists(value) {
    if (Array.isArray(value)) return value.map(splitLists);
    if (value && typeof value === 'object') {
      const out = {};
      for (const [key, inner] of Object.entries(value)) {
        out[key] = lists.has(key) && typeof inner === 'string'
          ? inner.split('\n').map((s) => s.trim()).filter(Boolean) : splitLists(inner);
      }
      return out;
    }
    return value;
  }

  async function submit(data) {
    const answer = await fetch(body.dataset.completeUrl, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, Accept: 'application/json' },
      body: JSON.stringify(splitLists(data)),
    });
    const reply = await answer.json().catch(() => ({ message: answer.statusText }));
    if (answer.ok) {
      say('done', words['Completed {task}; the instance is now {status}.']
        .replace('{task}', reply.completed.name).replace('{status}', reply.instance.status));
      window.setTimeout(() => window.location.assign(body.dataset.instanceUrl), 600);
    } else if (answer.status === 422) {
      say('invalid', words['The form was not accepted:'] + ' ' + words['Nothing was changed.'], reply.problems || [reply.message]);
    } else {
      say('refused', words['Refused:'] + ' ' + reply.message + ' ' + words['Nothing was changed.']);
    }
    body.dataset.answered = String(answer.status);
  }

  const form = new FormViewer.Form({ container: document.getElementById('form') });
  form.importSchema(schema, {}).then(() => {
    // the server validates: a post goes out even when the viewer would hold it back, so a person
    // reads the engine's own field messages
    form.on('submit', (event) => { submit(event.data); });
    body.dataset.ready = 'true';
  }).catch((err) => say('refused', String(err.message || err)));
})();
