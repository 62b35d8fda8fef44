"""Romanised (RTGS-like) forms of names, so that a Thai and a Latin spelling of one name can be compared.

Engine: PyThaiNLP's ``thai2rom`` sequence-to-sequence model, whose ONNX files ship inside the pythainlp wheel.
It writes names the way the Royal Thai General System does (ณัฐพล → ``natthaphon``, สุขุมพันธุ์ →
``sukhumphan``, ศรีสุข and สีสุข both ``sisuk``); PyThaiNLP's default ``royin`` engine garbles them (``natpn``,
``briphatn`` for บริพัตร), and no phonetic key works across scripts.

PyThaiNLP runs the model with onnxruntime one word and one letter at a time, which reads every weight matrix
from memory for each letter and is memory-bound: 2.3 ms per word even with the per-step overhead removed
(15 ms through ``pythainlp.transliterate.romanize``), two minutes for the 50,000 distinct names of a million
generated records. This module reads the same weights from the model files (``onnx``) and runs the same
network in numpy over many words at once, words of one length together so that nothing is padded: the matrix
products become compute-bound. A letter's share of the encoder gates is looked up from a per-letter table
instead of multiplied out per word, the gate functions run in place, and the decoder drops finished words only
once a quarter of the batch has finished (each drop copies the encoder outputs): about 0.5 ms of CPU per distinct
word on the 2-core development machine (a batch of 2,048 eight-letter words: 1.0 s instead of 1.4 s;
``python -m bench.normalise`` prints the throughput). BLAS runs single-threaded here
(``threadpoolctl``): the products are too small to share out, and OpenBLAS threads spinning on a busy 2-core
machine made the same 3,000 words take 69 s instead of 5 s. The output equals
``romanize(word, engine="thai2rom_onnx")``, except that a word the model cannot write at all gives ``""`` where
PyThaiNLP returns ``"<PAD>"``. onnxruntime is not a termtem dependency, so ``tests/test_normalise_devsets.py``
checks this against ``tests/data/romanise_reference.csv``, which PyThaiNLP itself wrote (613 name words), and
re-checks the file against PyThaiNLP where onnxruntime happens to be installed.

The network, as exported to ONNX and so as PyThaiNLP runs it: a bidirectional LSTM encoder (128 units each way)
over letter embeddings; then, per output letter, general attention of the previous decoder state over the
encoder outputs, an LSTM cell fed [context, embedding of the previous letter] from a zero state (the export
keeps no recurrent state: only the attention sees the previous step), and a linear layer whose likeliest letter
is taken. Decoding stops at the end token, after 100 letters, or when a cycle of 1-12 letters has repeated three
times (one copy is kept), as in PyThaiNLP.

Each distinct Thai word is romanised once per process (a bounded cache), so the cost follows the number of
distinct words, not of records. Latin letters are only lower-cased.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import NamedTuple

import numpy as np

_RUN = re.compile("(?P<thai>[\u0e01-\u0e4e]+)|[a-z]+")  # a run of Thai, or of Latin, letters
_MAX_LETTERS = 100
_REPEATS, _LONGEST_CYCLE = 3, 12
_BATCH = 2048  # words per forward pass: big enough for the matrix products, small enough to stay in cache
_CACHE_LIMIT = 1 << 20  # distinct words kept between calls
_cache: dict[str, str] = {}


class _Network(NamedTuple):
    """The thai2rom weights (ONNX gate order i, o, f, c) and letter tables."""

    letter_ids: dict[str, int]
    unknown: int
    end_of_word: int
    encoder_letters: np.ndarray  # (2 directions, input letters, 512): each letter's input to the gates, biases in
    encoder_recurrent: np.ndarray  # (2, 128, 512), transposed for h @ r
    attention: np.ndarray  # (256, 256)
    attention_bias: np.ndarray  # (256,)
    decoder_embedding: np.ndarray  # (output letters, 128)
    decoder_input: np.ndarray  # (1024, 384), input = [context, embedding]
    decoder_bias: np.ndarray  # (1024,)
    output: np.ndarray  # (output letters, 256)
    output_bias: np.ndarray  # (output letters,)
    letters: np.ndarray  # output id -> letter ("" for <PAD>, <start>, <end>)
    start: int
    end: int


@cache
def _network() -> _Network:
    """Read the model's weights and tables from the pythainlp wheel on first use (about 0.3 s)."""
    import onnx
    from onnx import numpy_helper
    from pythainlp.corpus import get_corpus_path

    def weights(name: str) -> dict[str, np.ndarray]:
        graph = onnx.load(get_corpus_path(name)).graph
        return {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.initializer}

    encoder, decoder = weights("thai2rom_encoder_onnx"), weights("thai2rom_decoder_onnx")
    with open(get_corpus_path("thai2rom_config_onnx"), encoding="utf-8") as file:
        config = json.load(file)
    inputs, targets = config["char_to_ix"], config["target_char_to_ix"]
    letters = np.full(len(targets), "", dtype=object)
    for index, letter in config["ix_to_target_char"].items():
        letters[int(index)] = letter if len(letter) == 1 else ""
    # Initializer names are those of the ONNX export: the LSTMs' W, R and B inputs.
    bias, decoder_bias = encoder["237"], decoder["189"][0]
    # A letter's share of the encoder gates depends on the letter only: one row per letter, looked up per step.
    letters_in = encoder["character_embedding.weight"] @ encoder["238"].transpose(0, 2, 1) + (bias[:, None, :512]
                                                                                              + bias[:, None, 512:])
    return _Network(
        inputs, inputs["<UNK>"], inputs["<end>"], letters_in, np.ascontiguousarray(encoder["239"].transpose(0, 2, 1)),
        decoder["attn.attn.weight"], decoder["attn.attn.bias"],
        decoder["character_embedding.weight"], decoder["187"][0], decoder_bias[:1024] + decoder_bias[1024:],
        decoder["linear.weight"], decoder["linear.bias"], letters, targets["<start>"], targets["<end>"])


def _sigmoid(x: np.ndarray) -> None:
    """The logistic function as ``0.5 + 0.5 tanh(x / 2)``, written into ``x`` without temporaries (the gates are
    most of the memory traffic)."""
    x *= 0.5
    np.tanh(x, out=x)
    x *= 0.5
    x += 0.5


def _lstm(ids: np.ndarray, letters: np.ndarray, r: np.ndarray, *, reverse: bool) -> tuple[np.ndarray, ...]:
    """One direction of the encoder LSTM over letter ids (words, letters): all outputs and the last one.

    Args:
        ids: Input letter ids per word.
        letters: Each letter's input to the gates, biases included (input letters, 4 × 128).
        r: Recurrent weights, (128, 4 × 128).
        reverse: Run from the last letter to the first.
    """
    words, length = ids.shape
    size = r.shape[0]
    h = np.zeros((words, size), dtype=np.float32)
    c = np.zeros((words, size), dtype=np.float32)
    outputs = np.empty((words, length, size), dtype=np.float32)
    gates = np.empty((words, 4 * size), dtype=np.float32)
    cell = np.empty((words, size), dtype=np.float32)
    for t in range(length - 1, -1, -1) if reverse else range(length):
        np.matmul(h, r, out=gates)
        gates += letters[ids[:, t]]
        _sigmoid(gates[:, :3 * size])
        i, o, f = gates[:, :size], gates[:, size:2 * size], gates[:, 2 * size:3 * size]
        np.tanh(gates[:, 3 * size:], out=cell)
        cell *= i
        c *= f
        c += cell
        np.tanh(c, out=h)
        h *= o
        outputs[:, t] = h
    return outputs, h


def _cycle_cut(recent: np.ndarray, count: int) -> np.ndarray:
    """Per row, the number of letters to keep if the row ends in a cycle repeated three times, else 0.

    Args:
        recent: The last (up to 36) letters of each row.
        count: How many letters each row has in all.
    """
    width = recent.shape[1]
    cut = np.zeros(len(recent), dtype=np.int64)
    for period in range(1, _LONGEST_CYCLE + 1):
        if _REPEATS * period > width:
            break
        last, middle, first = (recent[:, width - k * period: width - (k - 1) * period] for k in (1, 2, 3))
        repeated = (cut == 0) & (last == middle).all(axis=1) & (middle == first).all(axis=1)
        cut[repeated] = count - (_REPEATS - 1) * period
    return cut


def _decode(net: _Network, encoded: np.ndarray, state: np.ndarray) -> list[str]:
    """Greedy decoding of a batch of encoded words; rows drop out as they finish."""
    words = len(encoded)
    energy = encoded @ net.attention.T + net.attention_bias  # the attention's keys, fixed per word
    # The cell state starts at zero each step, so the forget gate (rows 512-767) never counts: only the input,
    # output and cell gates are computed, and the embedding's share of them is looked up per letter.
    gates_used = np.r_[0:512, 768:1024]
    from_context = np.ascontiguousarray(net.decoder_input[gates_used, :256].T)
    from_letter = net.decoder_embedding @ net.decoder_input[gates_used, 256:].T + net.decoder_bias[gates_used]
    rows = np.arange(words)
    previous = np.full(words, net.start)
    tokens = np.zeros((words, _MAX_LETTERS), dtype=np.int64)
    kept = np.full(words, _MAX_LETTERS)
    finished = np.zeros(words, dtype=bool)
    for step in range(_MAX_LETTERS):
        scores = np.einsum("bld,bd->bl", energy, state)
        weights = np.exp(scores - scores.max(axis=1, keepdims=True))
        weights /= weights.sum(axis=1, keepdims=True)
        gates = np.einsum("bl,bld->bd", weights, encoded) @ from_context
        gates += from_letter[previous]
        _sigmoid(gates[:, :512])
        state = np.tanh(gates[:, 512:], out=gates[:, 512:])
        state *= gates[:, :256]
        np.tanh(state, out=state)
        state *= gates[:, 256:512]
        best = (state @ net.output.T + net.output_bias).argmax(axis=1)
        tokens[rows, step] = np.where(finished, tokens[rows, step], best)
        ended = best == net.end
        recent = tokens[rows, max(0, step + 1 - _REPEATS * _LONGEST_CYCLE): step + 1]
        cut = np.where(ended, step, _cycle_cut(recent, step + 1))
        done = (ended | (cut > 0)) & ~finished
        previous = best
        if done.any():
            kept[rows[done]] = cut[done]
            finished |= done
            # Finished rows are carried along (their letters are not used) until a quarter of the rows has
            # finished: dropping them copies the encoder outputs, which costs more than computing a few rows.
            if finished.all():
                break
            if 4 * finished.sum() >= len(rows):
                going = ~finished
                rows, previous, state = rows[going], previous[going], state[going]
                energy, encoded, finished = energy[going], encoded[going], finished[going]
    return ["".join(net.letters[tokens[row, :kept[row]]]) for row in range(words)]


def _romanise_batch(net: _Network, words: Sequence[str]) -> list[str]:
    """Romanise words that all have the same length."""
    ids = np.array([[net.letter_ids.get(letter, net.unknown) for letter in word] + [net.end_of_word]
                    for word in words])
    forward, last_forward = _lstm(ids, net.encoder_letters[0], net.encoder_recurrent[0], reverse=False)
    backward, last_backward = _lstm(ids, net.encoder_letters[1], net.encoder_recurrent[1], reverse=True)
    return _decode(net, np.concatenate((forward, backward), axis=2), np.concatenate((last_forward, last_backward),
                                                                                     axis=1))


def romanise_thai_words(words: Iterable[str]) -> dict[str, str]:
    """Romanise Thai words with the thai2rom model, each distinct word once.

    Args:
        words: Thai letters and marks, no spaces; repeats are fine.

    Returns:
        Word → lower-case Latin letters (``""`` when the model writes nothing).
    """
    wanted = set(words)
    missing = sorted(wanted - _cache.keys(), key=len)
    if missing:
        from threadpoolctl import threadpool_limits

        net = _network()
        if len(_cache) + len(missing) > _CACHE_LIMIT:
            _cache.clear()
        by_length: dict[int, list[str]] = {}
        for word in missing:
            by_length.setdefault(len(word), []).append(word)
        with threadpool_limits(limits=1, user_api="blas"):
            for group in by_length.values():
                for start in range(0, len(group), _BATCH):
                    batch = group[start:start + _BATCH]
                    _cache.update(zip(batch, _romanise_batch(net, batch), strict=True))
    return {word: _cache[word] for word in wanted}


def romanise_names(names: Sequence[str]) -> list[str]:
    """Write cleaned names in Latin letters: Thai runs romanised, Latin runs lower-cased, words kept apart.

    Args:
        names: Given or family names as :func:`matching.names.normalise_thai_name` returns them.

    Returns:
        One string per name: the romanised words joined by single spaces (``"ชุมสาย ณ อยุธยา"`` → ``"chumsai na
        yutthaya"``), ``""`` for a name without Thai or Latin letters.
    """
    runs = [[list(_RUN.finditer(word)) for word in name.lower().split()] for name in names]
    romanised = romanise_thai_words(run[0] for name in runs for word in name for run in word if run["thai"])
    written = ((("".join(romanised[run[0]] if run["thai"] else run[0] for run in word)) for word in name)
               for name in runs)
    return [" ".join(word for word in name if word) for name in written]


def romanise_name(name: str) -> str:
    """Write one cleaned name in Latin letters (see :func:`romanise_names`)."""
    return romanise_names([name])[0]
