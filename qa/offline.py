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


QUIET_ENVIRONMENT = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # "Loading weights: 100%" on every model load
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}


def quiet_libraries() -> None:
    """Silence third-party progress bars and advisory warnings in a command-line run (newsdesk's own
    progress and warnings stay; `--verbose` keeps everything)."""
    import warnings

    os.environ.update(QUIET_ENVIRONMENT)
    for module in ("transformers", "sentence_transformers", "torch", "onnxruntime", "huggingface_hub"):
        warnings.filterwarnings("ignore", module=module + r"(\..*)?")
