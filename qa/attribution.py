"""Who is speaking in a news sentence: "…,” Musk said", "SpaceX officials said", "according to X".

Used only to name the speaker in an answer's summary line. A speaker is named only when a reporting
clause governs the sentence: a reporting verb whose subject (or, after "according to", whose agent)
is a name, either inside the sentence at a clause boundary, or right next to the quotation the
sentence belongs to. A sentence that merely mentions someone is not said by them, so nobody is
named then: the outlet and date are always shown, and unknown beats wrong.
"""

from __future__ import annotations

import re

from qa.passages import sentence_spans

_VERBS = (
    "said|says|say|told|tells|announced|announces|stated|states|added|adds|wrote|writes|explained|"
    "noted|notes|insisted|insists|confirmed|confirms|denied|denies|claimed|claims|argued|argues|warned|warns|"
    "responded|replied|declared|acknowledged|asserted|commented|stressed|admitted|conceded|testified|predicted"
)
_ADVERB = r"(?:(?:also|later|earlier|previously|further|again|separately|then|has|had|have|would|will)\s+)?"
_TOKEN = r"(?:[A-Z][\w.'’&-]*|[A-Z]\.)"
_CONNECTOR = r"(?:of|for|and|de|del|da|di|von|van|der|den|la|le|du|al|bin|&)"
_NAME = rf"{_TOKEN}(?:\s+(?:{_CONNECTOR}\s+(?:the\s+)?)?{_TOKEN})*"
_ROLE = (
    r"(?:officials?|spokes(?:man|woman|person)|representatives?|executives?|sources|analysts?|economists?|"
    r"traders?|dealers?|chairman|president|minister|secretary|director|governor|chief|head|leaders?|"
    r"officers?|staff|members?|lawyers?|attorneys?|senators?|aides?)"
)
_QUOTE = '“”"'
# ", the U.S. trade representative," / ", who chairs …," / ", a pork producer from Illinois …,"
_APPOSITIVE = (
    r"(?:a|an|the|who|whose|which|its|his|her|their|in|at|on|from|[a-z]+man|[a-z]+woman|president|chairman|"
    r"chief|head|parent|unit|subsidiary|wholly|former|[a-z]+ing|[A-Z]{2,})\b"
)
# Who stands behind a name: a spokesman speaks for the organisation, a chairman or a senator is a
# person the passage leaves unnamed ("The House member said", "the New Jersey governor told")
_SPEAKS_FOR = {"official", "officials", "spokesman", "spokeswoman", "spokesperson", "representative",
               "representatives", "sources", "staff"}  # fmt: skip
# "The Ohio Republican said", "the West Virginia Democrat announced": a description, not a name
_DESCRIPTIONS = {"democrat", "republican", "independent", "conservative", "liberal", "socialist", "lawmaker"}

# NAME [ROLE words] [, appositive,] VERB: "Clayton Yeutter, the U.S. trade representative, said"
_SUBJECT_FIRST = re.compile(
    rf"(?P<name>{_NAME})(?P<role>(?:\s+{_ROLE})*)(?:\s*,\s*{_APPOSITIVE}[^,.;“”\"]{{0,90}},)?\s+{_ADVERB}(?:{_VERBS})\b"
)
# VERB NAME after a quote or comma: "…,” said Musk" / "…, said John Smith, president of …"
_VERB_FIRST = re.compile(
    rf"[,{_QUOTE}]\s*(?!told|tells)(?:{_VERBS})\s+(?P<name>{_NAME})(?P<role>)"
)  # "told X": X listens
_ACCORDING = re.compile(rf"\b[Aa]ccording to (?:the\s+)?(?P<name>{_NAME})(?P<role>(?:\s+{_ROLE})*)(?=\s*(?:[,.;:)]|$))")
# "…, he said." / "It said …" / "He told reporters …": a pronoun as the reporting verb's subject
_PRONOUN_CLAUSE = re.compile(
    rf"(?:^|[,:;“”\"]\s*)(?:[Hh]e|[Ss]he|[Ii]t|[Tt]hey)\s+{_ADVERB}(?:{_VERBS})\b|,\s*(?:{_VERBS})\s+(?:he|she)\b"
)
# The news formula for a reply to a request for comment: "… reached out to SpaceX for comment, it responded"
_FOR_COMMENT = re.compile(
    rf"\b(?:reached out to|contacted|asked) (?P<name>{_NAME})(?P<role>) for comment\b[^.]*?,\s+"
    r"(?:it|they|he|she)\s+(?:responded|replied|said)\b"
)

_PREPOSITIONS = {
    "at", "of", "in", "on", "for", "from", "to", "with", "by", "about", "against", "than", "over", "under",
    "into", "between", "among", "and", "or", "nor", "like", "as", "whom", "whose",
}  # fmt: skip
_NOT_NAMES = {
    # determiners, pronouns, conjunctions, question words, time words: capitalised only by position
    "a", "an", "the", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "you",
    "his", "her", "its", "their", "our", "my", "your", "there", "here", "but", "and", "or", "so", "yet",
    "when", "while", "as", "also", "however", "meanwhile", "after", "before", "in", "on", "at", "if",
    "what", "who", "whom", "which", "where", "why", "how", "more", "most", "some", "many", "several",
    "both", "all", "each", "every", "one", "no", "not", "other", "others", "another", "such", "only",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan.", "feb.", "mar.", "apr.", "aug.", "sept.", "sep.", "oct.", "nov.", "dec.",
    "zero", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
    "dozens", "hundreds", "thousands", "millions", "first", "second", "third", "last", "next",
    "more:", "related", "read", "watch", "see", "click", "subscribe", "sign", "update", "updated",
}  # fmt: skip
_CLAUSE_BLOCKERS = {
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "can", "could", "may",
    "might", "must", "should", "does", "did", "that", "which", "who", "whom", "when", "after", "before",
    "because", "since", "if", "than", "while", "as", "and", "but", "or", "where", "left", "said", "says",
    "told", "made", "put", "set",
}  # fmt: skip
_TITLES = {
    "minister", "secretary", "undersecretary", "president", "vice-president", "chairman", "vice-chairman",
    "chairwoman", "governor", "director", "chief", "representative", "chancellor", "exchequer", "senator", "sen",
    "sen.", "rep", "rep.", "analyst", "economist", "spokesman", "spokeswoman", "spokesperson", "general",
    "commissioner", "ambassador", "mayor", "premier", "king", "queen", "prince", "judge", "treasurer",
    "dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.",
}  # fmt: skip
_GENERIC_BODIES = {
    "association", "company", "bank", "ministry", "department", "government", "commission", "board", "group",
    "union", "agency", "council", "committee", "court", "federation", "institute", "exchange", "corporation",
}  # fmt: skip
_TRAILING = {"of", "for", "and", "de", "del", "da", "di", "von", "van", "der", "den", "la", "le", "du", "al", "&"}
_ABBREVIATIONS = {"Jr", "Sr", "Inc", "Co", "Corp", "Ltd", "Bros", "St", "Dr", "Mr", "Mrs", "Ms", "Gen", "Sen", "Rep"}
_POSSESSIVE = re.compile(r"['’]s?$")


def speaker_of(text: str, span: tuple[int, int], *, continued: bool = True) -> str | None:
    """The speaker of the sentence `text[span]`, or None when the passage does not say who it is.

    First a reporting clause inside the sentence (at its start, after a comma or quote, or
    "according to"). "He said" / "it added" take the speaker named by the sentence just before,
    which is how news continues one source's account. Quoted speech takes the clause right after
    its closing quote or right before its opening one; a quotation with neither that directly
    follows another quotation continues that quotation's speaker (news does not repeat the
    attribution of a quote running on). Otherwise nobody: never the sentence before on its own.
    """
    start, end = span
    sentence = text[start:end]
    name = _clause_speaker(sentence, text)
    if name:
        return name
    if _PRONOUN_CLAUSE.search(sentence):
        return _previous_speaker(text, start)
    quotation = _quotation_around(text, start, end)
    if quotation is None:
        return None
    opening, closing = quotation
    after = text[closing + 1 : closing + 160]
    name = _anchored_after(after[: _sentence_end(after)]) or _anchored_before(
        text[max(0, opening - 160) : opening], text
    )
    if name or not continued:
        return name
    previous = _previous_span(text, opening)
    if previous is None or not any(mark in text[previous[0] : previous[1]] for mark in _QUOTE):
        return None
    return speaker_of(text, previous, continued=False)


def _previous_span(text: str, start: int) -> tuple[int, int] | None:
    """The sentence ending before `start`."""
    previous = [span for span in sentence_spans(text[:start]) if span[1] <= start]
    return previous[-1] if previous else None


def _previous_speaker(text: str, start: int) -> str | None:
    """The speaker that the reporting clause of the sentence before `start` names, if any."""
    previous = _previous_span(text, start)
    if previous is None:
        return None
    first, last = previous
    return _clause_speaker(text[first:last], text)


def _clause_speaker(sentence: str, text: str) -> str | None:
    """A name governing `sentence` through a reporting verb at a clause boundary, outside quotations.

    "“Nancy Pelosi said out loud they will win!” Colbert exclaimed": what is inside the quotation
    is the quoted person's words, not the narrator's attribution.
    """
    quoted = _quotations(sentence)
    for pattern in (_SUBJECT_FIRST, _VERB_FIRST, _ACCORDING, _FOR_COMMENT):
        for match in pattern.finditer(sentence):
            if any(opening < match.start("name") < closing for opening, closing in quoted):
                continue
            if pattern is _SUBJECT_FIRST and not _at_clause_start(sentence[: match.start("name")]):
                continue
            if set(match.group("role").split()) - _SPEAKS_FOR:
                continue  # "the New Jersey governor told": the governor, unnamed
            name = _whole_name(match.group("name"), match.group("role"), sentence, match.start("name"), text)
            if name:
                return name
    return None


def _at_clause_start(preceding: str) -> bool:
    """The subject NP starts its clause: at the sentence start or after a comma, colon or quote.

    Title words may stand before the name ("EC external trade chief Willy de Clercq said"), but
    not a verb, a preposition or a subordinating word: then the name is an object or sits in
    another clause ("It left Arsenal manager Arsene Wenger …", "analysts at Merrill Lynch said").
    """
    if preceding.rstrip().endswith((")", "-")):  # "Industrial Equity (Pacific) Ltd": only a piece of the name
        return False
    stretch = re.split(r"[,:;“”\"(—]", preceding)[-1]
    words = stretch.split()
    if len(words) > 8 or (words and words[-1].casefold() in _PREPOSITIONS):
        return False
    if re.search(r"\b[a-z]+\s+(?:to|for|at|of|with|from|by)\s", stretch):
        return False  # "an aide to USDA undersecretary Amstutz", "analysts at Merrill Lynch": they speak
    return not any(word.casefold() in _CLAUSE_BLOCKERS or re.fullmatch(r"[a-z]+ed", word) for word in words)


def _whole_name(raw: str, role: str, sentence: str, offset: int, text: str) -> str | None:
    """The name as a whole: no leading "The", no possessive or dangling "of", no number or time word."""
    words = raw.split()
    titled = re.search(r"[a-z]\s+$", sentence[:offset]) and words and words[0] == "The"  # "told The New Yorker"
    while words and words[0].casefold() in _NOT_NAMES and not titled:
        words.pop(0)
    possessive = [i for i, word in enumerate(words) if _POSSESSIVE.search(word) and word not in {"'", "’"}]
    if possessive:
        last = possessive[-1]
        if "of" in words[:last] or len(words) - last == 2:
            pass  # "Stutzman of Arlene's Flowers", "Gibson's Bakery": the possessive is inside the name
        elif last < len(words) - 1:  # "the Group's John Smith said": the person after the possessive
            words = words[last + 1 :]
        elif role.strip():  # "Acme's spokesman said": the organisation speaks through its spokesman
            words[last] = _POSSESSIVE.sub("", words[last])
        else:
            return None
    while words and words[-1].casefold() in _TRAILING:
        words.pop()
    capitalised = [word for word in words[1 if titled else 0 :] if word[0].isupper()]
    if not capitalised or any(word.casefold().rstrip(",.") in _NOT_NAMES for word in capitalised):
        return None
    titles = [i for i, word in enumerate(words) if word.casefold() in _TITLES]
    while titles and titles[-1] + 2 < len(words) and words[titles[-1] + 1] in {"of", "for"}:
        titles.append(titles[-1] + 2 + (words[titles[-1] + 2] == "the"))  # "Secretary of State", "of the Exchequer"
    if titles and titles[-1] < len(words) - 1:  # "U.S. Trade Representative Clayton Yeutter": the person
        words = words[titles[-1] + 1 :]
    words[-1] = _without_full_stop(words[-1].rstrip(",;:"))
    name = " ".join(words)
    if words[-1].casefold() in _DESCRIPTIONS:
        return None
    if len(words) == 1 and name.casefold() in _GENERIC_BODIES:
        return None  # "The Association said": which association is left to the reader, so no name
    if len(words) == 1 and not _looks_coined(name) and _sentence_initial(sentence, offset + raw.find(words[0])):
        # A lone capitalised first word may be a common word ("Industry said"): a name only if the
        # text also capitalises it where position does not ("… Musk said" elsewhere).
        if not _mid_sentence(text, name):
            return None
    return name


def _without_full_stop(word: str) -> str:
    """ "England." ends a sentence; "Jr.", "Inc." and "U.S." keep their dot."""
    stem = word[:-1]
    if word.endswith(".") and "." not in stem and stem not in _ABBREVIATIONS:
        return stem
    return word


def _looks_coined(word: str) -> bool:
    """An acronym or a coined capitalisation ("DRS", "SpaceX", "3M") is never a common word."""
    return bool(re.fullmatch(r"[A-Z0-9&.-]{2,}", word) or re.search(r"[a-z][A-Z]|\d", word))


def _sentence_initial(sentence: str, position: int) -> bool:
    return not sentence[:position].strip(' “"(')


def _mid_sentence(text: str, name: str) -> bool:
    """`name` occurs in `text` after a lowercase word, a comma or a closing quote: capitalised as a name."""
    return re.search(rf"[a-z,”\"]\s+{re.escape(name)}\b", text) is not None


def _anchored_after(after: str) -> str | None:
    """`,” Musk said` / `” said Musk` right after a closing quote."""
    clause = after.lstrip(" ,\n")
    for pattern in (_SUBJECT_FIRST, _VERB_FIRST):
        match = pattern.match(clause if pattern is _SUBJECT_FIRST else "," + clause)
        if match:
            # after a closing quote the name is never a sentence's capitalised first word
            after_quote = "” " + clause
            return _whole_name(
                match.group("name"), match.group("role"), after_quote, match.start("name") + 2, after_quote
            )
    return None


def _anchored_before(before: str, text: str) -> str | None:
    """`Musk said: “` / `Musk told reporters, “` right before an opening quote."""
    clause = re.search(r"[^.!?“”\"]*$", before)
    if clause is None or not re.search(r"[:,]\s*$|\b(?:said|says|told|wrote|added)\s*$", clause.group()):
        return None
    return _clause_speaker(clause.group().strip(), text)


def _sentence_end(text: str) -> int:
    found = re.search(r"[.!?](?:\s|$)", text)
    return found.end() if found else len(text)


def _quotation_around(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The (opening, closing) quote offsets of the quotation that holds most of `text[start:end]`."""
    for opening, closing in _quotations(text):
        inside = min(end, closing) - max(start, opening)
        if inside > 0.6 * (end - start):
            return opening, closing
    return None


def _quotations(text: str) -> list[tuple[int, int]]:
    """Quotation spans: curly quotes pair directly; a straight quote opens after a space and closes before one."""
    spans = []
    opening = None
    for index, char in enumerate(text):
        if char == "“" or (char == '"' and (index == 0 or text[index - 1] in " \n\t(—")):
            opening = index
        elif (char == "”" or char == '"') and opening is not None:
            spans.append((opening, index))
            opening = None
    if opening is not None:  # a quotation running past the end of the passage
        spans.append((opening, len(text)))
    first_open = text.find("“")
    first_close = text.find("”")
    if first_close >= 0 and (first_open < 0 or first_close < first_open):
        spans.insert(0, (0, first_close))  # the passage starts inside a quotation
    return spans
