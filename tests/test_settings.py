"""Settings: environment variables take effect, and a value that cannot be used is an error."""

import pytest

from qa.errors import SettingInvalid
from qa.settings import Settings


def test_environment_overrides_defaults_and_keywords_override_both(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSDESK_K", "7")
    monkeypatch.setenv("NEWSDESK_READER_INT8", "off")
    monkeypatch.setenv("NEWSDESK_INDEX_DIR", str(tmp_path))
    settings = Settings.from_env(k=3)
    assert (settings.k, settings.reader_int8, settings.index_dir) == (3, False, tmp_path)


@pytest.mark.parametrize(
    ("name", "value"),
    [("NEWSDESK_K", "five"), ("NEWSDESK_READER_INT8", "ture"), ("NEWSDESK_LLM", "gpt"), ("NEWSDESK_K", "0")],
)
def test_a_typo_is_an_error_not_a_silent_default(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingInvalid, match=name):
        Settings.from_env()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSDESK_DENSE_INDEX", "ivf"),
        ("NEWSDESK_MAX_UPLOAD_MB", "0"),
        ("NEWSDESK_CONCURRENCY", "-1"),
        ("NEWSDESK_MORE_WINDOWS", "-1"),
        ("NEWSDESK_RECENCY_WEIGHT", "high"),
        ("NEWSDESK_DEVICE", "gpu"),
        ("NEWSDESK_RUNTIME", "tensorrt"),
    ],
)
def test_new_limits_and_choices_are_checked_too(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingInvalid, match=name):
        Settings.from_env()


def test_every_setting_is_documented_in_the_readme():
    from qa.settings import PROJECT_ROOT, settings_table

    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    missing = [variable for variable, _, _ in settings_table() if variable not in readme]
    assert missing == []


@pytest.mark.parametrize("value", ["1.5", "-0.1", "likely"])
def test_the_answer_confidence_is_a_probability(monkeypatch, value):
    monkeypatch.setenv("NEWSDESK_MIN_ANSWER_CONFIDENCE", value)
    with pytest.raises(SettingInvalid, match="NEWSDESK_MIN_ANSWER_CONFIDENCE"):
        Settings.from_env()


def test_the_onnx_cache_folder_follows_its_setting_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings.from_env().cache_folder == tmp_path / "xdg" / "newsdesk"
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "mine"))
    assert Settings.from_env().cache_folder == tmp_path / "mine"


def test_a_report_records_every_setting_but_the_secrets():
    settings = Settings.from_env(auth="editor:hunter2", milvus_token="root:Milvus", runtime="torch")
    disclosed = settings.disclosed()
    assert disclosed["runtime"] == "torch" and disclosed["reader_int8"] is True
    assert "auth" not in disclosed and "milvus_token" not in disclosed and "hunter2" not in str(disclosed)
