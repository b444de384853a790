"""Words as call-takers type them under pressure, made comparable (pure Python).

A call-taker types what the caller says, fast and in everyday spelling: "gmn urus ktp yg
ilang", "listrk mati", "djam bukak dukcapil". Both the query and the knowledge base go
through the same steps, so that a fuzzy comparison (services/knowledge_search.py) only has
to bridge real typos:
- lower case, accents and punctuation dropped, hyphenated doubles ("anak-anak") once;
- chat abbreviations written out ("yg" -> "yang", "gmn" -> "bagaimana", "tdk" -> "tidak");
- old and regional spellings modernised ("dj" -> "j", "tj" -> "c", "oe" -> "u", as the
  gazetteer's name keys do), and letters held down ("tolooong") or doubled ("saat") once;
- the clitics "-nya", "-lah", "-kah" dropped ("listriknya" -> "listrik");
- words that carry no topic ("saya", "mau", "tanya", "bagaimana") left out of the search.
"""

from __future__ import annotations

import re
import unicodedata

# Chat and SMS shorthand of everyday Indonesian, as callers' words are typed.
ABBREVIATIONS: dict[str, str] = {
    "yg": "yang", "gmn": "bagaimana", "gmna": "bagaimana", "bgmn": "bagaimana",
    "bgm": "bagaimana", "gimana": "bagaimana", "gmana": "bagaimana",
    "tdk": "tidak", "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak",
    "ngga": "tidak", "enggak": "tidak", "engga": "tidak", "ndak": "tidak",
    "sdh": "sudah", "udh": "sudah", "udah": "sudah", "blm": "belum", "belom": "belum",
    "bs": "bisa", "bsa": "bisa", "dmn": "dimana", "dmna": "dimana", "kpn": "kapan",
    "brp": "berapa", "brapa": "berapa", "krn": "karena", "karna": "karena",
    "utk": "untuk", "untk": "untuk", "dgn": "dengan", "dg": "dengan", "sm": "sama",
    "jg": "juga", "lg": "lagi", "sy": "saya", "aq": "aku", "gw": "saya", "gue": "saya",
    "org": "orang", "tlg": "tolong", "mhn": "mohon", "skrg": "sekarang", "skr": "sekarang",
    "hr": "hari", "jln": "jalan", "jl": "jalan", "rmh": "rumah", "rs": "rumah sakit",
    "no": "nomor", "nmr": "nomor", "nomer": "nomor", "tlp": "telepon", "telp": "telepon",
    "tlpn": "telepon", "telpon": "telepon", "tilpon": "telepon", "knp": "kenapa",
    "napa": "kenapa", "pgn": "ingin", "pengen": "ingin", "pingin": "ingin",
    "bpk": "bapak", "pak": "bapak", "bu": "ibu", "kmrn": "kemarin", "kmarin": "kemarin",
    "bikin": "buat", "ilang": "hilang",
}
# Older and regional spellings of the same sounds (the gazetteer's name keys use them too).
SPELLING_VARIANTS = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("nj", "ny"),
                     ("ch", "kh"))
# Words that say nothing about the topic.
STOPWORDS = frozenset("""
    yang di ke dari dan atau ini itu saya aku kami kita mau ingin tanya bertanya nanya mohon
    tolong bagaimana apa apakah kalau kalo klo kok sih dong deh ya iya nih tuh bapak ibu mas
    mbak kak ada adalah untuk dengan sama juga lagi sudah belum bisa boleh harus akan pun
    oleh pada dalam buat gitu begitu terus saja aja cara info informasi minta halo selamat
    pagi siang sore malam mana dimana kapan berapa kenapa karena tidak
""".split())
CLITICS = ("nya", "lah", "kah")


def fold(text: str) -> str:
    """Lower case ASCII letters and digits, everything else a space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


def word_key(word: str) -> str:
    """One folded word, spelled the way both sides of a comparison spell it."""
    word = ABBREVIATIONS.get(word, word)
    if " " in word:  # an abbreviation of several words ("rs")
        return word
    for old, new in SPELLING_VARIANTS:
        word = word.replace(old, new)
    collapsed = re.sub(r"([a-z])\1+", r"\1", word)  # letters only: "112" is a number
    if len(collapsed) > 1:  # "kk" (kartu keluarga) stays itself
        word = ABBREVIATIONS.get(collapsed, collapsed)  # "gmnn" once collapsed is "gmn"
    for clitic in CLITICS:
        if word.endswith(clitic) and len(word) - len(clitic) >= 4:
            word = word[:-len(clitic)]
            break
    return word


def words(text: str) -> list[str]:
    """Every word's key, in order, repeats next to each other once ("anak-anak")."""
    keys: list[str] = []
    for raw in fold(text).split():
        for key in word_key(raw).split():
            if not keys or keys[-1] != key:
                keys.append(key)
    return keys


def search_words(text: str) -> list[str]:
    """The words that can find a topic: `words` without single letters and without the
    ones that carry none (a query of only such words finds nothing)."""
    return [k for k in words(text) if (len(k) > 1 or k.isdigit()) and k not in STOPWORDS]
