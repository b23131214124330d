"""bench/encoders.py's own machinery: a missing candidate package is reported, not a crash; vectors are unit-norm
and memoised; scores are shares per language. The encoders themselves are measured by the bench, not here."""

from __future__ import annotations

import numpy as np

from bench.encoders import CANDIDATES, BenchEmbeddings, Candidate, Encoder, _per_language, load


def _missing() -> Encoder:
    import mediator_no_such_encoder_package  # noqa: F401 - the point: this package is not installed

    raise AssertionError("unreachable")


def test_a_missing_package_skips_the_candidate_and_says_how_to_install_it(capsys) -> None:
    candidate = Candidate("ghost", "no-such-encoder", "no-such-encoder", _missing, "")
    assert load(candidate) is None
    err = capsys.readouterr().err
    assert "[ghost] skipped" in err
    assert "pip install no-such-encoder" in err
    assert "scratch venv" in err


def test_vectors_are_unit_norm_memoised_and_in_input_order() -> None:
    calls: list[list[str]] = []

    def lengths(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts])

    encoder = Encoder("lengths", lengths)
    out = encoder.queries(["abc", "a", "abc"])
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)
    assert np.allclose(out[0], out[2]) and not np.allclose(out[0], out[1])
    assert calls == [["abc", "a"]]  # each distinct text encoded once
    encoder.queries(["a"])
    assert calls == [["abc", "a"]]  # and never again


def test_scores_are_shares_per_language_and_overall() -> None:
    scores = _per_language([("sv", (True, False)), ("sv", (False, False)), ("sq", (True, True))], ("a", "b"))
    assert scores["a"] == {"sv": 0.5, "sq": 1.0, "all": 2 / 3}
    assert scores["b"]["all"] == 1 / 3
    assert scores["n"] == {"sv": 2, "sq": 1, "all": 3}


def test_the_baseline_has_no_encoder_and_ranks_by_the_lexical_side_only() -> None:
    assert CANDIDATES["tfidf"].load is None
    BenchEmbeddings.encoders["tfidf"] = None
    embeddings = BenchEmbeddings("tfidf")
    assert embeddings.embed_documents(["x", "y"]) == [[1.0, 0.0], [1.0, 0.0]]
    assert embeddings.embed_query("anything") == [1.0, 0.0]
