"""The newsdesk chat UI: `python app.py` serves a Gradio page over the index (built first if missing)."""

from qa.offline import go_offline

go_offline()

from qa.present.web import main  # noqa: E402

if __name__ == "__main__":
    main()
