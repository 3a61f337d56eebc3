"""The newsdesk chat UI: `python app.py` serves a Gradio page over the index (built first if missing)."""

import sys

from qa.offline import go_offline

go_offline()

from qa.errors import NewsdeskError  # noqa: E402
from qa.present.web import main  # noqa: E402

if __name__ == "__main__":
    try:
        main()
    except NewsdeskError as error:
        sys.exit(f"newsdesk: {error}")
