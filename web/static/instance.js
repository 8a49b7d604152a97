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
    body.dataset.marked = Object.keys(overlay.marks).filter((id) => registry.get(id)).join(' ');
  }
  draw().catch((err) => { body.dataset.marked = 'error: ' + (err.message || err); });
})();
