"""How outlet filters compare names: one normalisation for every backend."""

from __future__ import annotations

import unicodedata

_ARTICLE = "the "


def outlet_key(outlet: str | None) -> str:
    """The outlet as filters compare it: case and accents folded, a leading "The " dropped; unknown is "".

    So "Le Monde" matches "LE MONDE", "Élysée" matches "elysee", "Kyiv Independent" matches "The Kyiv Independent".
    """
    decomposed = unicodedata.normalize("NFKD", (outlet or "").casefold())
    plain = " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
    return plain.removeprefix(_ARTICLE) if plain != _ARTICLE.strip() else plain
