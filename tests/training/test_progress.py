"""Progress bars: the text bar on terminals and in files, and the optional tqdm backend."""

import io
import sys
import types

import pytest

from nnlite.training.progress import ProgressBar_Text, ProgressBar_Tqdm, progress_bar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_in_a_file_a_line_every_tenth():
    stream = io.StringIO()
    bar = ProgressBar_Text(20, description="training", stream=stream, dynamic=False)
    for _ in range(20):
        bar.update()
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == "training  2/20 [===>..........................]  10%"
    assert lines[-1] == "training 20/20 [==============================] 100%"
    assert "\r" not in stream.getvalue()


def test_close_shows_where_it_stopped_and_the_latest_figures():
    stream = io.StringIO()
    bar = ProgressBar_Text(20, stream=stream, dynamic=False)
    for _ in range(9):
        bar.update()
    bar.set_postfix({"loss": "0.500"})
    bar.close()
    bar.close()  # a second close does nothing
    lines = stream.getvalue().splitlines()
    assert lines[-1] == " 9/20 [=============>................]  45% loss: 0.500"
    assert len(lines) == 5


def test_on_a_terminal_one_line_redrawn():
    stream = Terminal()
    bar = ProgressBar_Text(4, stream=stream, width=4, min_interval=0)
    bar.update()
    bar.write("a message")
    bar.update(3)
    bar.close()
    output = stream.getvalue()
    assert output.startswith("\r1/4 [=>..]  25%")
    assert "\r" + " " * len("1/4 [=>..]  25%") + "\ra message\n\r1/4 [=>..]  25%" in output
    assert output.endswith("\r4/4 [====] 100%\n")


def test_a_shorter_redraw_erases_the_longer_line():
    stream = Terminal()
    bar = ProgressBar_Text(2, stream=stream, width=2, min_interval=0)
    bar.set_postfix({"loss": "1.000"})
    bar.update()
    bar.set_postfix({})
    bar.update()
    assert stream.getvalue().endswith("\r2/2 [==] 100%" + " " * len(" loss: 1.000"))


def test_bad_totals_are_refused():
    with pytest.raises(ValueError, match="total must be a whole number >= 1, got 0"):
        ProgressBar_Text(0)
    with pytest.raises(ValueError, match="backend must be one of"):
        progress_bar(3, backend="rich")


def test_auto_uses_text_when_tqdm_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    assert isinstance(progress_bar(3, stream=Terminal()), ProgressBar_Text)
    with pytest.raises(ImportError, match="pip install tqdm"):
        progress_bar(3, backend="tqdm")


def test_auto_uses_text_in_a_file_even_with_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", _fake_tqdm_module([]))
    bar = progress_bar(3, stream=io.StringIO())
    assert isinstance(bar, ProgressBar_Text) and not bar.dynamic


def _fake_tqdm_module(calls):
    class FakeTqdm:
        def __init__(self, **arguments):
            calls.append(("init", arguments))

        def update(self, count):
            calls.append(("update", count))

        def set_postfix_str(self, text):
            calls.append(("postfix", text))

        def write(self, message):
            calls.append(("write", message))

        def close(self):
            calls.append(("close",))

    module = types.ModuleType("tqdm.auto")
    module.tqdm = FakeTqdm
    return module


def test_tqdm_gets_the_same_calls(monkeypatch):
    calls = []
    monkeypatch.setitem(sys.modules, "tqdm.auto", _fake_tqdm_module(calls))
    stream = Terminal()
    bar = progress_bar(5, description="training", stream=stream, min_interval=0.5)
    assert isinstance(bar, ProgressBar_Tqdm)
    bar.update(2)
    bar.set_postfix({"epoch": "1/5", "loss": "0.100"})
    bar.write("stopped")
    bar.close()
    assert calls == [
        ("init", {"total": 5, "desc": "training", "file": stream, "mininterval": 0.5}),
        ("update", 2),
        ("postfix", "epoch: 1/5, loss: 0.100"),
        ("write", "stopped"),
        ("close",),
    ]
