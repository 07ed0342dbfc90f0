"""What `streamlit run serve.py` starts (./scripts/run, deploy/start.sh): app.py, warmed before it serves.

See ui/server.py. `streamlit run app.py` still works, without the start-up warm-up and the headers.
"""

import streamlit as st

from ui.server import lifespan, middleware

app = st.App("app.py", lifespan=lifespan, middleware=middleware())
