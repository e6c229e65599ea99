"""The tokenizer's token-set cache answers like the tokenizer and forgets on a new word."""

from __future__ import annotations

from index.terms import Tokenizer


def test_token_set_is_the_set_of_tokens_and_follows_new_words():
    tok = Tokenizer()
    text = "青山湖新区固定资产投资增长15%"
    before = tok.token_set(text)
    assert before == frozenset(tok.tokens(text))
    assert tok.token_set(text) is before  # cached
    tok.add_words(["青山湖新区"])
    after = tok.token_set(text)
    assert "青山湖新区" in after and after == frozenset(tok.tokens(text))
