"""Keep every library off the network: no model downloads, no telemetry, no analytics."""

import os

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def go_offline() -> None:
    """Called where the product starts (CLI, app, Assistant), never on import. Set outright: a library
    imported earlier may have written its own spelling (Gradio writes HF_HUB_DISABLE_TELEMETRY=True)."""
    os.environ.update(OFFLINE_ENVIRONMENT)
