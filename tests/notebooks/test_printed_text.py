"""The comparison of a notebook's printed text: a lesson's numbers must match exactly; progress
bars, times and float64 rounding noise may differ (see tests/notebooks/printed_text.py)."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.notebooks.printed_text import cell_texts, mismatches


def notebook_printing(*outputs):
    """A notebook of a markdown cell and one code cell with these outputs."""
    cell = new_code_cell("train()\nprint(loss)", execution_count=1, outputs=list(outputs))
    return new_notebook(cells=[new_markdown_cell("# A lesson"), cell])


def stdout(text):
    return new_output("stream", name="stdout", text=text)


def result(text, **more):
    return new_output("execute_result", execution_count=1, data={"text/plain": text, **more})


@pytest.mark.parametrize(
    "committed, rerun",
    [
        ("loss: 0.512, acc: 0.801", "loss: 0.512, acc: 0.801"),
        ("ran in 1.3 s\nloss 0.25", "ran in 12.7 s\nloss 0.25"),
        ("epoch 3, 45 ms per step", "epoch 3, 51 ms per step"),
        ("dweights  (64, 3)  2.8e-17", "dweights  (64, 3)  4.2e-17"),
        ("Adam  2.0e-15  1.016305792690094", "Adam  1.8e-15  1.016305792690094"),
        ("difference 1.2e-16", "difference -3.1e-16"),
        ("training 2/2 [==============================] 100% loss: 0.5\ndone", "done"),
        ("training: 100%|██████████| 45/45 [00:01<00:00, 41.3it/s]\ndone", "done"),
        ("training:  50%|█████     | 1/2 [00:02<00:02, 2.01s/it]\ndone", "done"),
        ("bar\r\rtraining 2/2 [====] 100%  \nlast", "last   "),
    ],
)
def test_what_may_differ(committed, rerun):
    assert not mismatches(
        "lesson.ipynb", notebook_printing(stdout(committed)), notebook_printing(stdout(rerun))
    )


@pytest.mark.parametrize(
    "committed, rerun",
    [
        ("loss: 0.512, acc: 0.801", "loss: 0.513, acc: 0.801"),
        ("1.016305792690094", "1.016305792690095"),
        ("dweights  (64, 3)  2.8e-17", "dweights  (64, 3)  2.8e-14"),
        ("difference 1.0e-13", "difference 1.1e-13"),
        ("difference 0.0e+00", "difference 3.1e-16"),
        ("difference 2.2e-16", "difference 1.0e-14"),
        ("accuracy 0.95 after 3 epochs", "accuracy 0.96 after 3 epochs"),
        ("steps: 45", "steps: 46"),
        ("one line", "one line\nand another"),
    ],
)
def test_what_must_not_differ(committed, rerun):
    assert mismatches(
        "lesson.ipynb", notebook_printing(stdout(committed)), notebook_printing(stdout(rerun))
    )


def test_the_message_names_the_notebook_and_cell_and_shows_both_texts():
    committed = notebook_printing(
        stdout("loss: 0.512\n"), result("<Figure size 640x480 with 1 Axes>")
    )
    rerun = notebook_printing(stdout("loss: 0.498\n"), result("<Figure size 640x480 with 1 Axes>"))
    [message] = mismatches("03_decay.ipynb", committed, rerun)
    assert message == (
        "03_decay.ipynb, cell 1 (In [1]: train())\n"
        "--- committed:\nloss: 0.512\n<Figure size 640x480 with 1 Axes>\n"
        "--- re-run:\nloss: 0.498\n<Figure size 640x480 with 1 Axes>"
    )


def test_figures_are_compared_by_their_text_not_their_pixels():
    def figure(png, size="640x480"):
        return result(f"<Figure size {size} with 1 Axes>", **{"image/png": png})

    assert not mismatches(
        "a.ipynb", notebook_printing(figure("iVBORw0K")), notebook_printing(figure("AAAA"))
    )
    assert mismatches(
        "a.ipynb", notebook_printing(figure("AAAA")), notebook_printing(figure("AAAA", "1000x400"))
    )


def test_tqdm_widgets_and_stderr():
    widget = result(
        "training: 100%|██████████| 45/45 [00:01<00:00, 41.3it/s]",
        **{"application/vnd.jupyter.widget-view+json": {"model_id": "1"}},
    )
    assert cell_texts(notebook_printing(widget, stdout("done"))) == [(1, "done")]
    warning = new_output("stream", name="stderr", text="RuntimeWarning: overflow\n")
    assert cell_texts(notebook_printing(warning)) == [(1, "[stderr] RuntimeWarning: overflow")]
    assert mismatches("a.ipynb", notebook_printing(), notebook_printing(warning))


def test_a_notebook_read_from_disk_compares_equal_to_itself(tmp_path):
    path = tmp_path / "lesson.ipynb"
    nbformat.write(
        notebook_printing(stdout("loss: 0.5\n"), result("<Figure size 640x480 with 1 Axes>")), path
    )
    notebook = nbformat.read(path, as_version=4)
    assert not mismatches("lesson.ipynb", notebook, notebook)
