// An instance page: the process diagram in bpmn-js's NavigatedViewer with the engine's instance
// overlay as markers (completed, ready, waiting, overdue; the flows taken) and their notes.
(function () {
  const body = document.body;
  const viewer = new BpmnJS({ container: '#diagram' });
  async function draw() {
    const [xml, overlay] = await Promise.all([
      fetch(body.dataset.diagramUrl, { credentials: 'same-origin' }).then((r) => r.text()),
      fetch(body.dataset.overlayUrl, { credentials: 'same-origin' }).then((r) => r.json()),
    ]);
    await viewer.importXML(xml);
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    const overlays = viewer.get('overlays');
    for (const [id, mark] of Object.entries(overlay.marks)) {
      const element = registry.get(id);
      if (!element) continue;
      canvas.addMarker(id, 'pg-' + mark.css);
      if (mark.note && element.type !== 'bpmn:Lane' && !element.waypoints) {
        const note = document.createElement('div');
        note.className = 'pg-note pg-' + mark.css;
        note.textContent = mark.note;
        overlays.add(id, { position: { bottom: -4, left: 0 }, html: note });
      }
    }
    canvas.zoom('fit-viewport');
    // then close in on where the instance stands now: its ready, waiting and overdue steps
    const now = Object.entries(overlay.marks)
      .filter(([id, m]) => m.css !== 'completed' && registry.get(id) && registry.get(id).type !== 'bpmn:Lane')
      .map(([id]) => registry.get(id));
    if (now.length) {
      const box = { x: Math.min(...now.map((e) => e.x)), y: Math.min(...now.map((e) => e.y)) };
      box.right = Math.max(...now.map((e) => e.x + e.width));
      box.bottom = Math.max(...now.map((e) => e.y + e.height));
      const outer = canvas.viewbox().outer;
      const width = Math.max(box.right - box.x + 600, outer.width / 0.7);
      const height = width * outer.height / outer.width;
      canvas.viewbox({ x: (box.x + box.right) / 2 - width / 2, y: (box.y + box.bottom) / 2 - height / 2, width, height });
    }
    body.dataset.marked = Object.keys(overlay.marks).filter((id) => registry.get(id)).join(' ');
  }
  draw().catch((err) => { body.dataset.marked = 'error: ' + (err.message || err); });
})();
