"""phasegate's second face: `phasegate serve`, a web tasklist and programme view over the same
`engine` API as the command line (Starlette through FastAPI, on uvicorn).

    app.py       the application: one engine on one thread, sign-in, CSRF, errors as HTTP statuses
    sessions.py  signed-in sessions and their CSRF tokens (memory of one server process)
    api.py       the JSON API under /api/, the shapes of the CLI's --json, documented by OpenAPI
    pages.py     the HTML pages: my tasks, a task's form, an instance, the programme, sign-in
    html.py      the page frame and small HTML helpers (every text escaped)
    formjs.py    a designer's plain form definition as a form-js schema for the viewer
    words.py     the pages' words through the message catalog (`engine.i18n` when present)
    static/      the pages' own script and style; assets/ holds the npm-installed libraries

The face imports the engine and the programme, never `cli.py` (an import-linter contract).
"""
