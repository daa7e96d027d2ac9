"""AppTest entry: runs app.py from a folder without a pages/ directory.

AppTest resets streamlit's "pages directory" flag before every run; next to
app.py it finds pages/ and, after ``switch_page``, runs the page file alone as an
old-style page, without app.py and its sidebar. Started from here, every run goes
through app.py's ``st.navigation`` as in a real session.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[2] / "app.py"), run_name="__main__")
