"""Free text -> answers, for English, Simplified Chinese and Spanish.

Pure functions with no Rasa imports, so the NLU component (``bot/nlu/components.py``) and the
form validation can share them and tests can run without a model. Everything is rule based on
blank spaCy pipelines (no statistical model can be downloaded): ``PhraseMatcher`` for the phrase
tables below, ``Matcher`` for structures such as number-word sequences and "level 2".

How text is prepared (``_prepare``):

* Only the first ``MAX_CHARS`` characters are looked at, so work is bounded on any input.
* Text is folded one character at a time (NFKC, lower case, Latin accents stripped, curly quotes
  straightened, control/format characters such as NUL or an RTL override turned into spaces,
  whitespace runs collapsed). An index map keeps every match's offsets in the *original* text.
  Accent folding lets "no se" match "no sé" and "ano" match "año"; phrase tables are folded the
  same way, so they are written with their accents for readability.
* English and Spanish are tokenized by ``spacy.blank("en")`` / ``spacy.blank("es")`` (plus a
  suffix rule so "39years" or "10meses" split into number and unit). Matching uses the ``NORM``
  attribute, which spaCy's English exceptions set to "not" for "n't", "nt" and "cannot" -- one
  pattern "can't breathe" therefore also covers "cannot breathe" and "cant breathe".
* Chinese is matched on a Doc of single characters (digit and Latin runs kept whole) built on the
  vocab of ``spacy.blank("zh")`` with the jieba segmenter. jieba segments numbers and units
  differently depending on context ("十二岁" + "半", "三个" + "月"), so phrase patterns built from
  jieba tokens would miss; on characters they always line up, and ``filter_spans`` keeps the
  longest match so "没有" wins over "有" and "不知道" over "不". The jieba pipeline itself is what
  the Rasa tokenizer uses (``get_nlp("zh")``).

Languages: ``lang`` is a preference, not a filter. People switch languages mid-conversation, so
the English and Spanish tables are both consulted for any Latin-script text, and the Chinese ones
whenever there are CJK characters; across languages the longest match wins ("no sé" is Spanish
"unsure", not English "no"). The preference (``lang``, else a clear ``guess_language``) only
drops the *other* language's false friends: Spanish "once" is 11 and "son" means "they are", so in
an English conversation "once" is not a number, and in a Spanish one "son" is not a boy.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from functools import cache, lru_cache, partial
from typing import Callable, Dict, Iterable, List, NamedTuple, Sequence, Tuple

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import compile_suffix_regex, filter_spans

__all__ = [
    "MAX_CHARS",
    "LANGUAGES",
    "get_nlp",
    "detect_script_language",
    "guess_language",
    "parse_tri",
    "parse_duration_months",
    "parse_number",
    "parse_year",
    "parse_month_span",
    "parse_birth_age",
    "AgeRange",
    "find_numbers",
    "NumberFound",
    "parse_respondent",
    "parse_sex",
    "parse_ecog",
    "parse_language_request",
    "detect_emergency",
    "parse_topic",
    "extract_entities",
]

MAX_CHARS = 500
LANGUAGES = ("en", "zh", "es")

# ================================================================================================
# Phrase tables. One table per language; phrases are folded like the input, so accents are
# optional. A leading "<" marks a phrase that only counts at the start of the message ("是" in
# "是的，做过" but not in "什么是CAR-T"); a leading "^" one that only counts when it is the whole message
# (punctuation aside), e.g. the single letter "y" for yes.
# ================================================================================================

TRI: Dict[str, Dict[str, List[str]]] = {
    "en": {
        "yes": [
            "yes", "yeah", "yea", "yep", "yup", "ya", "^y", "^ok", "^okay", "^correct", "^right",
            "that's right", "that is right", "that's correct", "that is correct", "yes correct",
            "thats correct", "thats right",
            "^true", "that's true", "it's true", "sure", "sure thing", "sounds good",
            "of course", "definitely", "confirmed", "^fine", "go ahead", "^agreed", "i agree",
            "absolutely", "certainly", "indeed", "affirmative", "i think so", "i believe so",
            "i guess so", "probably", "most likely", "uh huh", "mhm", "^no problem", "he did",
            "she did", "they did", "i did", "we did", "he has", "she has", "they have",
            "i have", "he does", "she does", "i do", "he had", "she had", "i had",
            "there was",
            # "It never went into remission" answers the refractory question with a yes.
            "never went into remission", "didn't respond to treatment",
            "did not respond to treatment", "never responded to treatment",
        ],
        "no": [
            "no", "^n", "nope", "nah", "nay", "never", "none", "nothing", "not really",
            "not at all", "no way", "negative", "definitely not", "absolutely not",
            "certainly not", "of course not", "i don't think so", "don't think so",
            "i doubt it", "not that i know of", "not that i'm aware of", "not once",
            "he didn't", "she didn't", "they didn't", "^i didn't", "he hasn't", "she hasn't",
            "^i haven't", "he doesn't", "she doesn't", "^i don't", "he isn't", "she isn't",
            "he wasn't", "she wasn't", "there wasn't", "^wrong", "that's wrong",
            "that is wrong", "incorrect", "not correct", "not right", "not true", "never had",
            "^false", "i'd rather not", "i would rather not", "no thanks", "no thank you",
        ],
        "unsure": [
            "i don't know", "don't know", "do not know", "dunno", "idk", "not sure", "unsure",
            "no idea", "no clue", "not a clue", "can't remember", "don't remember",
            "can't recall", "i forget", "i forgot", "maybe", "perhaps", "possibly",
            "i'd have to check", "i would have to check", "have to check", "need to check",
            "i need to ask", "not certain", "uncertain", "hard to say", "who knows",
            "might be", "could be", "might have", "not 100% sure", "i don't remember",
            "i don't really know", "didn't know", "beats me", "never told", "were never told",
            "nobody told", "no one told", "didn't tell us", "not told", "they never said",
            "ask the doctor", "ask his doctor", "ask her doctor", "ask the oncologist",
        ],
        "ignore": [
            "i don't understand", "don't understand", "i don't get", "don't get",
            "what do you mean",
        ],
    },
    "zh": {
        "yes": [
            "<是", "是的", "是啊", "<对", "对的", "对啊", "有", "有的", "嗯", "嗯嗯", "^好", "好的",
            "好啊", "^行", "^可以", "可以的", "没错", "<没问题", "正确", "确定", "当然", "肯定",
            "确实", "应该是", "应该有", "大概是", "我觉得是", "有过", "做过", "用过", "打过",
            "同意", "愿意", "确诊了", "yes", "ok",
            # Chinese answers a yes/no question by repeating the verb.
            "复发了", "复发过", "又复发了", "怀孕了", "在哺乳", "在喂奶", "开始吧", "可以开始",
            "<可以，", "<好，",
            # Echoing the question's "never went into remission" (难治) says yes.
            "一直没缓解", "一直没有缓解", "没缓解", "没有缓解", "不缓解", "未缓解", "没能缓解",
        ],
        "no": [
            "^不", "不是", "不是的", "没有", "没", "否", "无", "不对", "从来没有", "从没",
            "从未", "没有过", "没做过", "没用过", "没打过", "没得过", "不会", "应该没有",
            "应该不是", "不可能", "不用", "不要", "不同意", "不愿意", "不行", "绝对没有",
            "肯定没有", "肯定不是", "木有", "么有", "不需要", "不算", "不想", "不参加", "no",
            "先不了", "^不了", "^算了", "暂时不用", "以后再说",
        ],
        "unsure": [
            "不知道", "不确定", "不清楚", "不太清楚", "不是很清楚", "记不清", "记不清楚",
            "记不得", "不记得", "忘了", "忘记了", "可能", "可能吧", "也许", "或许", "说不定",
            "说不清", "不好说", "不晓得", "不了解", "好像", "得查一下", "要查一下", "要问一下",
            "不太确定", "不太知道", "不太记得", "不太了解", "说不准", "说不好", "拿不准",
            "想不起来", "没印象", "没注意", "没注意过", "没查过", "没说过", "没跟我们说",
            "没告诉", "没有告诉", "问问医生", "问一下医生", "得问问", "需要问", "才知道",
            "没想好", "还没想好", "还没决定", "考虑一下", "再想想", "想一想",
        ],
        # Question forms and words that merely contain the answer characters.
        "ignore": [
            "有没有", "是不是", "对不对", "是否", "可不可以", "好不好", "无法", "不好意思",
            "没关系", "有点", "只有", "还有", "所有", "没什么", "但是", "还是", "可是", "我是",
            "有什么", "是什么", "什么是", "是啥", "有关", "有用", "没看懂", "看不懂", "不懂",
            "不明白", "不理解", "没听懂", "听不懂", "没明白", "没听明白", "没看明白", "搞不懂",
            "不太懂", "不太明白",
            "只是", "要是", "于是", "总是", "或是", "有时", "有人", "对于", "针对", "对方", "对他",
            "对她", "对我",
            # Health described as fine ("心脏挺好的") is not the "好的" of agreement.
            "挺好的", "挺好", "很好", "还好", "都好", "都挺好", "蛮好", "正常的",
        ],
    },
    "es": {
        "yes": [
            "sip", "claro", "claro que sí", "correcto", "cierto", "exacto",
            "así es", "eso es", "creo que sí", "sí tiene", "sí tuvo", "por supuesto", "vale",
            "de acuerdo", "afirmativo", "efectivamente", "probablemente", "seguro",
            "seguro que sí", "lo tiene", "lo tuvo", "<si", "pues sí", "que sí", "dale", "obvio",
            "ajá", "aja", "adelante", "desde luego", "sin duda", "empecemos", "empezamos",
            # "It did not respond to treatment" answers the refractory question with a yes.
            "no ha respondido al tratamiento", "no respondió al tratamiento",
            "no responde al tratamiento", "nunca entró en remisión", "no entró en remisión",
            "nunca remitió",
        ],
        "no": [
            "no", "nunca", "jamás", "para nada", "en absoluto", "de ninguna manera", "ninguno",
            "ninguna", "nada", "creo que no", "no tiene", "no tuvo", "no lo tiene", "tampoco",
            "negativo", "no es cierto", "incorrecto", "nop", "nel", "nones", "qué va",
        ],
        "unsure": [
            "no sé", "no lo sé", "no estoy seguro", "no estoy segura", "no estoy muy seguro",
            "no estoy muy segura", "ni idea", "no tengo idea", "tal vez", "quizás", "quizá",
            "a lo mejor", "puede ser", "puede que", "no recuerdo", "no me acuerdo",
            "no lo recuerdo", "tendría que revisar", "tendría que comprobar",
            "tengo que revisar", "tengo que preguntar", "desconozco", "no sabría decir",
            "no sabría", "no te sé decir", "no le sé decir", "no lo tengo claro", "ni me acuerdo",
            "^nose", "^ns", "difícil de decir", "se me olvidó", "no nos dijo", "no nos dijeron",
            "nunca nos lo explicaron", "nunca nos dijeron", "no nos explicaron",
            "tendría que preguntar", "habría que preguntar", "habría que revisar",
            "tendría que consultar", "tengo que mirar", "tengo que mirarlo", "hay que preguntar",
        ],
        "ignore": ["no entiendo", "no comprendo", "no lo entiendo", "no lo comprendo",
                   "no te entiendo", "no le entiendo", "no entendí", "no lo entendí",
                   "no comprendí", "no sé qué significa", "no se qué es"],
    },
}

# ------------------------------------------------------------------------------------------------
# Numbers, durations and dates: data only, one table per language (words folded like the input).
# ------------------------------------------------------------------------------------------------

# Duration units and their length in months. 虚岁 (nominal age) and 周岁/足岁/实岁 (real age) are
# years too; which one was said is read from ZH_NOMINAL_AGE / ZH_REAL_AGE.
UNITS: Dict[str, Dict[str, float]] = {
    "en": {
        "year": 12, "years": 12, "yr": 12, "yrs": 12, "yo": 12, "y/o": 12, "y.o.": 12,
        "years old": 12, "year old": 12, "yrs old": 12, "year-old": 12, "years-old": 12,
        "month": 1, "months": 1, "mo": 1, "mos": 1, "mth": 1, "mths": 1, "mnth": 1,
        "mnths": 1, "months old": 1, "month old": 1, "month-old": 1, "months-old": 1,
        "week": 0.25, "weeks": 0.25, "wk": 0.25, "wks": 0.25, "weeks old": 0.25,
        "week-old": 0.25, "day": 1 / 30, "days": 1 / 30, "days old": 1 / 30,
    },
    "es": {
        "año": 12, "años": 12, "añito": 12, "añitos": 12, "años de edad": 12,
        "mes": 1, "meses": 1, "meses de edad": 1, "semana": 0.25, "semanas": 0.25,
        "día": 1 / 30, "días": 1 / 30,
    },
    "zh": {
        "岁": 12, "周岁": 12, "虚岁": 12, "足岁": 12, "实岁": 12, "年": 12, "个月": 1, "月": 1,
        "周": 0.25, "个周": 0.25, "星期": 0.25, "个星期": 0.25, "礼拜": 0.25, "个礼拜": 0.25,
        "天": 1 / 30,
    },
}

# Number words from 0 to 99. Values below 10 combine after tens ("thirty-one", "treinta y uno").
NUMBER_WORDS: Dict[str, Dict[str, int]] = {
    "en": {
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
        "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
        "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
        "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
        "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    },
    "es": {
        "cero": 0, "uno": 1, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4,
        "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11,
        "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciséis": 16,
        "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21,
        "veintiún": 21, "veintiuna": 21, "veintidós": 22, "veintitrés": 23,
        "veinticuatro": 24, "veinticinco": 25, "veintiséis": 26, "veintisiete": 27,
        "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50,
        "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
    },
}
# Hundreds. English "hundred" multiplies what comes before ("two hundred", "nineteen hundred");
# the Spanish words are the hundreds themselves ("ciento veinte", "doscientas").
HUNDREDS: Dict[str, Dict[str, int]] = {
    "en": {"hundred": 100, "hundreds": 100},
    "es": {
        "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
        "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500,
        "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
        "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900,
        "novecientas": 900,
    },
}
# Thousands are read ("two thousand nineteen", "mil novecientos noventa") but never alone: a bare
# "a thousand" or "mil" ("mil gracias") is a manner of speaking, not a number.
THOUSANDS: Dict[str, Dict[str, int]] = {
    "en": {"thousand": 1000, "thousands": 1000},
    "es": {"mil": 1000},
}
# Scale words that are not read at all: the number they belong to gives no number, never a
# cut-off one ("two million" is not 2, "三万五" is not 3).
UNREAD_SCALES: Dict[str, List[str]] = {
    "en": ["million", "millions", "billion", "billions", "trillion", "trillions", "dozen",
           "dozens", "zillion", "gazillion", "lakh", "crore"],
    "es": ["millón", "millones", "billón", "billones", "millardo", "millardos", "docena",
           "docenas"],
    "zh": ["万", "萬", "亿", "億", "兆"],
}
# "two point five", "dos coma cinco", "二点五": only between two numbers ("en coma" is a coma).
DECIMAL_POINTS: Dict[str, List[str]] = {"en": ["point", "dot"], "es": ["coma", "punto"],
                                        "zh": ["点"]}
# "point five" alone is 0.5 (Spanish "en coma quince días" is a coma, not 0.15).
LEADING_POINTS: Dict[str, List[str]] = {"en": ["point"]}
ZERO_WORDS: Dict[str, List[str]] = {"en": ["oh", "o"]}  # "twenty oh nine", "one point o five"
# Between tens and units: "thirty-one", "treinta y uno", "twenty one".
TENS_JOINERS: Dict[str, List[str]] = {"en": ["-"], "es": ["y", "-"]}
# After "hundred" / "thousand": "a hundred and twenty".
SCALE_JOINERS: Dict[str, List[str]] = {"en": ["and"], "es": []}
FRACTIONS: Dict[str, float] = {"½": 0.5, "¼": 0.25, "¾": 0.75}
HALF_WORDS = {"en": {"half", "½"}, "es": {"medio", "media"}, "zh": {"半"}}
PERCENT_WORDS: Dict[str, List[str]] = {
    "en": ["%", "percent", "per cent", "pct"],
    "es": ["%", "por ciento", "porciento", "por cien"],
    "zh": ["%"],
}
ARTICLE_ONE = {"es": {"un", "una"}}  # 1 only before a unit or a number: "un año", not "es un niño"
# "one" as a pronoun: "the one in May", "no one knows", "one of them", "ni uno", "cada uno".
ONE_WORDS: Dict[str, List[str]] = {"en": ["one"], "es": ["uno", "una", "un"]}
ONE_PRONOUN_BEFORE: Dict[str, List[str]] = {
    "en": ["the", "this", "that", "no", "any", "every", "each", "some", "another", "which",
           "what", "other", "last", "first", "second", "third", "fourth", "fifth", "sixth",
           "seventh", "eighth", "ninth", "tenth", "next", "same", "right", "wrong", "little",
           "young", "loved", "big", "new", "old", "older", "younger", "eldest", "oldest",
           "youngest", "such", "a"],
    "es": ["ni", "cada", "otro", "otra", "cualquier", "cualquiera", "ningún", "algún"],
}
ONE_PRONOUN_AFTER: Dict[str, List[str]] = {
    "en": ["of", "who", "whom", "whose", "can", "cannot", "could", "should", "must", "might",
           "would", "shall", "never", "always", "knows", "thinks", "says", "does", "gets",
           "another", "else", "moment", "sec"],
    "es": ["mismo", "misma", "nunca", "siempre", "sabe", "puede", "de", "que"],
}
# A number from 1900 to 2100 right after one of these is a calendar year, not a quantity.
YEAR_CUES: Dict[str, List[str]] = {
    "en": ["in", "since", "from", "until", "till", "by", "of", "born", "year", "before",
           "after", "around", "circa", "early", "late", "mid", "back", "during", "to", "and"],
    "es": ["en", "desde", "de", "del", "hasta", "año", "nació", "nacido", "nacida", "antes",
           "después", "durante", "a", "y", "el"],
}
MONTHS: Dict[str, Dict[str, int]] = {
    "en": {
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
        "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
        "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
        "nov": 11, "december": 12, "dec": 12,
    },
    "es": {
        "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
        "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
        "diciembre": 12,
    },
}
# Month names that are also ordinary words ("may", "march") count only after one of these, or
# before a number ("May 2020", "March 3rd").
MONTH_WORDS_NEED_CUE: Dict[str, List[str]] = {
    "en": ["may", "march", "mar", "jan", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
           "dec", "feb", "apr"],
}
MONTH_CUES: Dict[str, List[str]] = {
    "en": ["in", "since", "from", "to", "until", "till", "by", "of", "early", "late", "mid",
           "end", "last", "this", "next", "between", "and", "or", "around", "during", "-"],
}
# Words between a month and its day or year: "January 5, 2020", "5 de enero de 2020".
DATE_FILLERS: Dict[str, List[str]] = {"en": [",", "of", "the", "."], "es": [",", "de", "del"]}
# A date near one of these is a date of birth ("born in 2001", "nació en 2015", "2015年出生").
BIRTH_CUES: Dict[str, List[str]] = {
    "en": ["born", "birth", "dob", "d.o.b", "birthday", "birthdate"],
    "es": ["nació", "nací", "nacido", "nacida", "nacimiento", "nacer", "nacieron"],
    "zh": ["出生", "生于", "出世", "年生"],
}
ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9, "幺": 1,
             # Formal (banker's) numerals.
             "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6,
             "柒": 7, "捌": 8, "玖": 9}
ZH_FORMAL = set("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟")  # alone they are words ("陆续", "收拾")
ZH_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
ZH_TENS = {"廿": 20, "卅": 30, "卌": 40}  # 廿二 = 22
ZH_NEGATIVE = {"负", "負"}
# Spoken counts that hold their measure word (俩 = 两个): numbers only right before a unit
# ("俩月", "仨礼拜"), since "咱俩" is "the two of us".
ZH_COUNT_WORDS = {"俩": 2, "倆": 2, "仨": 3}
# "一"/"十" inside ordinary words ("一些", "一起", "十分") are not numbers.
ZH_NOT_NUMBER_AFTER = set("些下起直样定般切旦共律致同向心边面再次会")
ZH_NOT_NUMBER_BEFORE = set("万唯统第同之某")
# Measure words: a number before one counts things ("一个回答", "两次") unless a unit follows (个月).
ZH_COUNTERS = set("个次位种项条件回遍份张家本句")
ZH_DAY_MARKERS = {"日", "号"}
# Nominal age (虚岁, one or two years more than the real age) and the real age (周岁).
ZH_NOMINAL_AGE = ["虚岁", "虚"]
ZH_REAL_AGE = ["周岁", "实岁", "足岁", "实际"]
# "answer number 3", "pregunta nº 5": the number names a question.
_NUMBER_LABELS = frozenset({"number", "no.", "#", "numero", "nº", "n.º", "num"})
# Nouns a number counts in a message about the conversation itself ("change one answer").
COUNTED = {
    "en": frozenset("answer answers thing things question questions mistake mistakes more "
                    "minute minutes moment second seconds sec time times".split()),
    "es": frozenset("respuesta respuestas pregunta preguntas cosa cosas error errores minuto "
                    "minutos momento segundo segundos vez veces".split()),
}
_LATIN_COUNTED = COUNTED["en"] | COUNTED["es"]

RESPONDENT: Dict[str, Dict[str, List[str]]] = {
    # "patient": the person answering is the patient. "parent": guardian, unless it is *my*
    # parent (then the patient is my mother: other). "child": the patient is my child
    # (guardian), unless it is *his/her* child (I am their son: other). "legal": a legal
    # guardian of any kind, e.g. a grandparent, always counts as guardian.
    "en": {
        "patient": [
            "i am the patient", "i am patient", "i am the one", "the patient is me",
            "myself", "for me", "for myself", "it's me", "it is me", "^me", "^self",
            "^i am", "me myself",
        ],
        "parent": [
            "mom", "mum", "mommy", "mummy", "mother", "mama", "dad", "daddy", "father",
            "papa", "parent", "parents", "stepmother", "stepfather", "stepmom", "stepdad",
        ],
        "child": ["son", "daughter", "child", "kid", "baby", "children"],
        "child_weak": ["boy", "girl"],  # "my boy" is a child; "a boy" alone says nothing
        "legal": ["guardian", "legal guardian", "legal representative"],
        "other": [
            "aunt", "auntie", "uncle", "grandparent", "grandmother", "grandma", "granny",
            "grandfather", "grandpa", "friend", "nurse", "doctor", "physician", "sibling",
            "brother", "sister", "spouse", "husband", "wife", "partner", "cousin", "niece",
            "nephew", "boyfriend", "girlfriend", "fiance", "fiancee", "relative", "caregiver",
            "carer", "social worker", "teacher", "neighbour", "neighbor", "colleague",
        ],
    },
    "zh": {
        "patient": ["我是患者", "我是病人", "我就是患者", "我就是病人", "我自己", "本人",
                    "是我", "就是我", "为自己", "给自己", "^自己", "^我"],
        "parent": ["妈妈", "爸爸", "母亲", "父亲", "家长", "妈", "爸", "父母", "继母", "继父"],
        "child": ["儿子", "女儿", "孩子", "小孩", "宝宝", "闺女", "娃"],
        "legal": ["监护人", "法定监护人"],
        "other": [
            "朋友", "护士", "医生", "大夫", "奶奶", "爷爷", "外婆", "外公", "姥姥", "姥爷",
            "阿姨", "叔叔", "舅舅", "姑姑", "伯伯", "婶婶", "舅妈", "哥哥", "姐姐", "弟弟",
            "妹妹", "丈夫", "妻子", "老公", "老婆", "爱人", "亲戚", "同事", "表哥", "表姐",
            "邻居", "护工", "家属", "家人", "亲属",
        ],
    },
    "es": {
        "patient": ["soy el paciente", "soy la paciente", "soy paciente", "yo mismo",
                    "yo misma", "para mí", "soy yo", "^yo", "el paciente soy yo",
                    "la paciente soy yo"],
        "parent": ["madre", "padre", "mamá", "papá", "padres", "madrastra", "padrastro"],
        "child": ["hijo", "hija", "hijos", "bebé"],
        "child_weak": ["niño", "niña", "nene", "nena"],
        "ignore": ["células madre", "célula madre", "madre patria"],
        "legal": ["tutor", "tutora", "tutor legal", "tutora legal", "representante legal"],
        "other": [
            "amigo", "amiga", "enfermera", "enfermero", "médico", "médica", "doctor",
            "doctora", "abuela", "abuelo", "abuelos", "tía", "tío", "hermano", "hermana",
            "esposo", "esposa", "marido", "primo", "prima", "pareja", "cuidador", "cuidadora",
            "vecino", "vecina", "sobrino", "sobrina",
        ],
    },
}

# Sex: "noun" beats "pronoun" ("I'm his mother" says nothing of the mother's sex, only the
# patient's: "his"); "other" phrases are explicit choices.
SEX: Dict[str, Dict[str, List[str]]] = {
    "en": {
        "female|noun": ["female", "woman", "girl", "lady", "daughter", "feminine", "^f"],
        "male|noun": ["male", "man", "boy", "son", "gentleman", "masculine", "^m"],
        "female|pronoun": ["she", "her", "hers", "herself"],
        "male|pronoun": ["he", "him", "his", "himself"],
        "other|explicit": [
            "non-binary", "nonbinary", "non binary", "prefer not to say",
            "rather not say", "i'd rather not say", "don't want to say", "prefer not to answer",
            "intersex", "genderqueer", "other gender", "^other", "^neither",
        ],
    },
    "zh": {
        "female|noun": ["女", "女性", "女孩", "女儿", "女的", "女生", "姑娘", "闺女"],
        "male|noun": ["男", "男性", "男孩", "儿子", "男的", "男生"],
        "female|pronoun": ["她"],
        "male|pronoun": ["他"],
        "other|explicit": ["其他", "不想说", "保密", "不方便说", "不愿透露"],
        "ignore|ignore": ["他们", "她们", "其它"],
    },
    "es": {
        "female|noun": ["mujer", "femenino", "femenina", "niña", "hija", "chica", "muchacha",
                        "señora"],
        "male|noun": ["hombre", "masculino", "niño", "hijo", "chico", "muchacho", "varón",
                      "señor"],
        "female|pronoun": ["ella"],
        "male|pronoun": [],
        "other|explicit": ["prefiero no decir", "prefiero no decirlo", "prefiero no contestar",
                           "no binario", "no binaria", "^otro", "^otra", "otro sexo"],
    },
}

# ECOG performance status from plain activity descriptions. When several levels are described
# the worst (highest) wins, so a description is never read as fitter than it is.
ECOG: Dict[str, Dict[int, List[str]]] = {
    "en": {
        0: [
            "fully active", "completely active", "totally active", "normal activity",
            "normal activities", "no restrictions", "no restriction", "no limitations",
            "without restriction", "goes to school as before", "goes to work as before",
            "same as before", "as before", "like before", "completely normal",
            "totally normal", "active as usual", "normal life", "plays normally", "like normal",
            "as normal", "as usual",
        ],
        1: [
            "can't do heavy", "can't do strenuous", "no heavy", "no strenuous",
            "not strenuous", "can't do sports", "can't play sports", "light work",
            "light activity", "light activities", "light housework", "light duties",
            "desk work", "office work", "restricted in strenuous", "only light",
            "can't do heavy activity but walks", "gets tired", "tires easily", "get tired",
            "light things", "light stuff", "can walk but", "can get around but",
        ],
        2: [
            "can't work", "unable to work", "can't go to school", "unable to go to school",
            "can't go to work", "cares for himself", "cares for herself", "cares for myself",
            "care for himself", "care for herself", "care for myself", "cares for self",
            "looks after himself", "looks after herself", "look after myself",
            "takes care of himself", "takes care of herself", "take care of myself",
            "up and about", "up more than half the day", "out of bed more than half the day",
            "up and about more than half the day",
        ],
        3: [
            "in bed more than half the day", "in bed or chair more than half the day",
            "in bed or a chair more than half the day", "in a chair more than half the day",
            "bed or chair more than half", "mostly in bed", "most of the day in bed",
            "in bed most of the day", "limited self-care", "limited self care",
            "needs help with self-care", "needs help to wash", "needs help dressing",
            "needs help washing", "needs help", "lies in bed most of the day",
        ],
        4: [
            "in bed all day", "in bed or chair all day", "in bed or a chair all day",
            "bed all day", "bedridden", "bed-bound", "bedbound", "confined to bed",
            "confined to a bed", "can't care for himself", "can't care for herself",
            "can't care for myself", "can't care for self", "completely disabled",
            "totally disabled", "fully disabled", "needs help with everything",
            "can't get out of bed",
        ],
    },
    "zh": {
        0: ["完全正常活动", "活动完全正常", "完全正常", "正常活动", "活动正常", "没有限制",
            "不受限制", "和以前一样", "跟以前一样", "正常上学", "正常上班"],
        1: ["不能剧烈活动", "不能做剧烈", "不能剧烈运动", "不能做重活", "不能干重活", "干不了重活",
            "做不了重活", "重活干不了",
            "能做轻活", "轻活", "轻体力", "轻工作", "轻松的工作", "容易累", "能走路", "能下地走",
            "没力气"],
        2: ["能自理", "生活能自理", "生活自理", "一半以上时间能下床", "白天一半以上时间能下床活动",
            "能下床活动", "不能工作", "不能上学", "不能上班"],
        3: ["一半以上时间卧床", "一半以上时间卧床或坐着", "一半以上时间坐着", "大部分时间卧床",
            "大部分时间躺着", "生活部分自理", "部分自理", "只能部分自理", "自理能力有限",
            "大部分时间躺在床上", "大部分时间在床上", "要人扶", "需要人扶", "要人帮", "需要人帮",
            "需要帮助", "基本都在床上", "基本躺着", "基本都躺着", "大多躺着", "多数时间躺着",
            "大部分时间躺着"],
        4: ["完全卧床", "整天卧床", "整天躺在床上", "卧床不起", "完全不能自理", "不能自理",
            "生活不能自理"],
    },
    "es": {
        0: ["totalmente activo", "totalmente activa", "completamente activo",
            "completamente activa", "actividad normal", "vida normal", "sin restricciones",
            "sin limitaciones", "como antes", "va a la escuela", "va al colegio",
            "va a trabajar", "voy a trabajar", "trabajo normal", "trabajo normalmente"],
        1: ["no puede hacer esfuerzos", "no puede hacer ejercicio intenso",
            "no puede hacer actividad intensa", "trabajo ligero", "trabajos ligeros",
            "actividad ligera", "tareas ligeras", "sin esfuerzos", "se cansa", "cosas ligeras",
            "puede caminar pero",
            # The patient answering for themselves speaks in the first person.
            "no puedo hacer esfuerzos", "no puedo hacer ejercicio intenso",
            "no puedo hacer actividad intensa", "me canso", "puedo caminar pero",
            "no puede hacer trabajos pesados", "no puedo hacer trabajos pesados",
            "no puede hacer cosas pesadas", "no puedo hacer cosas pesadas",
            "no puede hacer trabajo pesado", "no puedo hacer trabajo pesado",
            "no puede hacer deporte", "no puedo hacer deporte"],
        2: ["se vale por sí mismo", "se vale por sí misma", "se cuida solo", "se cuida sola",
            "levantado más de la mitad del día", "levantada más de la mitad del día",
            "no puede trabajar", "no puede ir a la escuela", "no puede ir al colegio",
            "me valgo por mí mismo", "me valgo por mí misma", "me cuido solo", "me cuido sola",
            "no puedo trabajar", "no puedo ir a trabajar", "no puedo ir a clase"],
        3: ["en cama o sillón más de la mitad del día", "en cama más de la mitad del día",
            "en cama más de la mitad", "más de la mitad del día en cama",
            "cuidado personal limitado", "autocuidado limitado", "casi todo el día en cama",
            "necesita ayuda", "casi siempre acostado", "casi siempre acostada",
            "acostado casi todo el día", "acostada casi todo el día", "necesito ayuda",
            "estoy en cama más de la mitad del día", "estoy casi todo el día en cama"],
        4: ["en cama todo el día", "en cama o sillón todo el día", "postrado", "postrada",
            "encamado", "encamada", "no puede cuidarse", "totalmente incapacitado",
            "totalmente incapacitada", "no se vale por sí mismo", "no se vale por sí misma",
            "el día acostado", "el día acostada", "todo el día acostado", "todo el día acostada",
            "no puedo cuidarme", "no me valgo por mí mismo", "no me valgo por mí misma",
            "estoy en cama todo el día"],
    },
}
ECOG_LEVEL_WORDS = {
    "en": ["level", "ecog", "grade", "score", "status"],
    "es": ["nivel", "grado", "ecog", "puntuación"],
    "zh": ["ecog", "等级", "级别"],
}
ECOG_DIGIT_WORDS = {
    "en": {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "zero": 0, "one": 1, "two": 2,
           "three": 3, "four": 4},
    "es": {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "cero": 0, "uno": 1, "dos": 2,
           "tres": 3, "cuatro": 4},
    "zh": {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "零": 0, "一": 1, "二": 2, "两": 2,
           "三": 3, "四": 4},
}

LANGUAGE_NAMES: Dict[str, Dict[str, List[str]]] = {
    "en": {"en": ["english", "inglés"], "zh": ["chinese", "mandarin", "chino", "mandarín",
                                              "中文"],
           "es": ["spanish", "español", "castellano"]},
    "zh": {"en": ["英文", "英语", "english"], "zh": ["中文", "汉语", "普通话", "国语", "华语",
                                                   "简体中文", "中文版", "chinese"],
           "es": ["西班牙语", "西班牙文", "西语", "spanish", "español"]},
    "es": {"en": ["inglés", "english"], "zh": ["chino", "mandarín", "chinese", "中文"],
           "es": ["español", "castellano", "spanish"]},
}
# Words that may surround a language name in a request ("can you speak Spanish please?").
LANGUAGE_FILLERS = {
    "en": {"please", "pls", "plz", "can", "could", "would", "you", "we", "i", "speak", "talk",
           "reply", "answer", "respond", "write", "use", "switch", "change", "to", "in",
           "language", "the", "want", "like", "prefer", "do", "ok", "okay", "thanks", "thank",
           "let", "'s", "us", "continue", "chat", "only", "now", "instead", "version", "hi",
           "hello", "yes", "am", "'d", "need", "language:", "en", "a", "al", "habla",
           "hablar", "hablas", "hable", "por", "favor", "quiero", "puedes", "podemos",
           "cambiar", "cambia", "idioma", "el", "hola", "prefiero", "mejor"},
    "zh": set("请说用讲换成切到改要可以吗能你我们回答聊的好吧语言一下呢就行麻烦") | {"please"},
}
LANGUAGE_FILLERS["es"] = LANGUAGE_FILLERS["en"]
LANGUAGE_REQUEST_VERBS = {
    "en": ["speak", "talk", "reply", "answer", "respond", "write", "switch to",
           "change to", "continue", "chat", "switch the language to",
           "change the language to", "habla", "hablar", "hablame", "hable", "háblame",
           "cambiar a", "cambia a", "cambiar el idioma a", "cámbialo a", "cambialo a",
           "cámbiame a"],
    "zh": ["说", "用", "讲", "换成", "切换到", "换到", "改成", "改用", "切换成"],
}
LANGUAGE_REQUEST_VERBS["es"] = LANGUAGE_REQUEST_VERBS["en"]

EMERGENCY: Dict[str, Dict[str, List[str]]] = {
    # "strong": always an emergency (unless negated right before, e.g. "he is not choking").
    # "term": nouns that also occur in definition questions ("what is a high fever?"), which
    # are ignored when a definition question is asked in the same sentence.
    "en": {
        "safe": ["no trouble breathing", "no difficulty breathing"],
        "strong": [
            "can't breathe", "couldn't breathe", "not breathing", "stopped breathing",
            "struggling to breathe", "struggling for breath", "trouble breathing",
            "difficulty breathing", "hard to breathe", "gasping for air",
            "gasping for breath", "turning blue", "choking", "won't wake up",
            "can't wake him", "can't wake her", "can't wake them", "passed out",
            "unresponsive", "not responding", "collapsed", "fainted", "having a seizure",
            "having seizures", "having a fit", "fitting", "convulsing", "seizing",
            "kill myself", "killing myself", "end my life", "ending my life",
            "take my own life", "want to die", "wanna die", "don't want to live",
            "don't want to be alive", "better off dead", "hurt myself", "suicidal",
            "bleeding won't stop", "bleeding that won't stop", "won't stop bleeding",
            "can't stop the bleeding", "can't stop bleeding", "bleeding a lot",
            "bleeding heavily", "a lot of blood", "lots of blood", "blood everywhere",
            "call an ambulance", "ambulance", "call 911", "throwing up blood", "vomiting blood",
            "coughing up blood", "lips are blue", "lips blue", "can't catch her breath",
            "can't catch his breath", "can't catch my breath", "ending it all", "end it all",
        ],
        # Fire only with a blood word in the same sentence: "he's bleeding and it won't stop".
        "bleeding_stop": ["won't stop", "doesn't stop", "isn't stopping", "not stopping",
                          "keeps bleeding"],
        "term": [
            "high fever", "very high fever", "high temperature", "seizure", "seizures",
            "convulsion", "convulsions", "unconscious", "suicide", "chest pain", "chest pains",
            "pain in my chest", "pain in his chest", "pain in her chest", "heavy bleeding",
            "severe bleeding", "hemorrhage", "haemorrhage", "shortness of breath",
            "short of breath",
        ],
        "fever": ["fever", "temperature", "temp", "febrile"],
        "definition": [
            "what is", "what are", "what does", "what counts", "meaning of", "define",
            "definition", "counts as", "count as", "considered", "how high", "explain",
            "what do you mean",
        ],
    },
    "zh": {
        "safe": ["没有呼吸困难", "没呼吸困难", "不呼吸困难"],
        "strong": [
            "喘不上气", "喘不过气", "不能呼吸", "无法呼吸", "没有呼吸", "没呼吸", "停止呼吸",
            "叫不醒", "昏过去", "晕过去", "晕倒", "没反应", "没有反应", "失去意识",
            "不省人事", "正在抽搐", "想自杀", "要自杀", "不想活了", "不想活", "想死", "轻生",
            "结束生命", "血止不住", "止不住血", "流血不止", "大量出血", "出血不止", "胸口剧痛",
            "剧烈胸痛", "救护车", "吐血", "咳血", "抽筋", "结束自己的生命", "嘴唇发紫", "嘴唇发青",
        ],
        "bleeding_stop": ["止不住", "不停"],
        "term": [
            "呼吸困难", "昏迷", "抽搐", "癫痫发作", "惊厥", "高烧", "发高烧", "高热", "自杀",
            "胸痛", "胸口痛", "胸口疼", "大出血",
        ],
        "fever": ["发烧", "发热", "体温", "烧到", "fever"],
        "definition": ["什么是", "是什么", "什么意思", "什么叫", "啥是", "是啥", "指什么",
                       "怎么算", "算不算", "多少度", "解释", "定义"],
    },
    "es": {
        "strong": [
            "no puedo respirar", "no puede respirar", "no respira", "le cuesta respirar",
            "dificultad para respirar", "se ahoga", "se está ahogando", "no despierta",
            "no se despierta", "no reacciona", "no responde", "se desmayó",
            "perdió el conocimiento", "está convulsionando", "suicidarme", "matarme",
            "quitarme la vida", "quiero morir", "quiero morirme", "no quiero vivir",
            "sangrado que no para", "no para de sangrar", "sangra mucho", "sangrando mucho",
            "sangrando muchísimo", "sangra muchísimo", "no deja de sangrar", "ambulancia",
            "vomitando sangre", "vomita sangre", "poniendo morado", "poniendo morada",
            "labios morados", "quitar la vida", "cuesta respirar", "cuesta mucho respirar",
            "cuesta muchísimo respirar", "duele el pecho", "duele mucho el pecho",
            "fiebre altísima",
        ],
        "bleeding_stop": ["no para", "no deja de"],
        "term": [
            "fiebre alta", "fiebre muy alta", "temperatura alta", "convulsión", "convulsiones",
            "inconsciente", "suicidio", "dolor en el pecho", "dolor de pecho",
            "dolor torácico", "sangrado abundante", "hemorragia",
        ],
        "fever": ["fiebre", "temperatura", "calentura"],
        "definition": ["qué es", "qué son", "qué significa", "qué se considera",
                       "se considera", "significado", "definición", "a partir de cuánto",
                       "explica", "explícame"],
    },
}
NEGATIONS = {
    "en": {"no", "not", "never", "without", "nor", "none", "denies"},
    "es": {"no", "sin", "nunca", "ni", "jamas"},
    "zh": ("没有", "没", "无", "未", "不是", "不", "并没有", "否认"),
}
FEVER_CELSIUS = (39.0, 45.0)
FEVER_FAHRENHEIT = (102.2, 113.0)

TOPICS: Dict[str, Dict[str, List[str]]] = {
    "en": {
        "patient_age": ["age", "old", "how old", "birthday"],
        "b_all_diagnosis": ["b-all", "b all", "b-cell", "leukemia", "leukaemia", "diagnosis",
                            "diagnosed", "acute lymphoblastic"],
        "relapsed_or_refractory": ["relapsed", "refractory", "relapse", "relapsed or refractory"],
        "had_car_t": ["car-t", "car t", "cart", "car-t cells", "car t cells", "car-t therapy",
                      "chimeric antigen receptor"],
        "car_t_activity_lost": ["car-t activity", "car-t cell activity", "loss of activity",
                                "lost activity", "stopped working", "activity lost"],
        "relapse_since_car_t": ["relapse since", "relapsed since", "relapse after",
                                "relapsed after", "come back since", "came back since"],
        "car_t_loss_months": ["months", "how many months", "how long after"],
        "severe_allergies": ["allergy", "allergies", "allergic"],
        "ecog": ["activity", "activity level", "ecog", "performance status",
                 "how active", "daily activities"],
        "bendamustine_9_months": ["bendamustine", "treanda", "levact"],
        "heart_failure_or_arrhythmia": ["heart", "heart failure", "arrhythmia",
                                        "irregular heartbeat", "cardiac"],
        "respiratory_failure": ["breathing", "lung", "lungs", "respiratory",
                                "respiratory failure"],
        "other_cancer": ["cancer", "tumour", "tumor", "malignancy", "malignant",
                         "other cancer"],
        "dic": ["dic", "clotting", "coagulation", "disseminated intravascular"],
        "kidney_problem": ["kidney", "kidneys", "renal", "creatinine", "bun"],
        "uncontrolled_infection": ["infection", "infections", "sepsis"],
        "uncontrolled_diabetes": ["diabetes", "diabetic", "blood sugar"],
        "severe_mental_disorder": ["mental", "mental health", "psychiatric", "mental disorder",
                                   "mental illness"],
        "brain_lesions": ["mri", "brain lesion", "brain lesions", "brain scan", "head scan",
                          "head mri"],
        "csf_blasts_high": ["spinal fluid", "csf", "cerebrospinal", "lumbar puncture",
                            "spinal tap"],
        "blood_blasts_high": ["blood blasts", "peripheral blood", "blasts in the blood",
                              "blasts in his blood", "blasts in her blood"],
        "organ_transplant": ["transplant", "transplants", "organ transplant", "transplantation"],
        "sex": ["sex", "gender"],
        "pregnant_or_breastfeeding": ["pregnant", "pregnancy", "breastfeeding",
                                      "breast feeding", "breast-feeding", "lactating", "nursing"],
        "active_infectious_disease": ["hepatitis", "hiv", "syphilis", "hbv", "hcv", "aids",
                                      "infectious disease", "infectious diseases"],
        "respondent": ["who is answering", "who's answering", "respondent",
                       "who is filling", "who am i"],
        "guardian_can_consent": ["guardian", "legal guardian", "consent for"],
        "brain_pressure_or_consciousness": ["brain pressure", "intracranial",
                                            "pressure in the brain", "pressure in his brain",
                                            "consciousness", "intracranial pressure"],
    },
    "zh": {
        "patient_age": ["年龄", "岁", "年纪", "多大"],
        "b_all_diagnosis": ["白血病", "诊断", "b-all", "急性淋巴细胞白血病", "b细胞"],
        "relapsed_or_refractory": ["复发", "难治", "复发难治", "复发或难治"],
        "had_car_t": ["car-t", "cart", "car t", "嵌合抗原受体t细胞", "嵌合抗原受体"],
        "car_t_activity_lost": ["失效", "活性丧失", "失去活性", "活性消失"],
        "relapse_since_car_t": ["后复发", "以后复发", "之后复发", "后又复发", "后有没有复发"],
        "car_t_loss_months": ["几个月", "多少个月", "月数"],
        "severe_allergies": ["过敏"],
        "ecog": ["活动", "活动能力", "体能", "ecog"],
        "bendamustine_9_months": ["苯达莫司汀"],
        "heart_failure_or_arrhythmia": ["心脏", "心衰", "心力衰竭", "心律失常"],
        "respiratory_failure": ["呼吸", "肺", "呼吸衰竭"],
        "other_cancer": ["肿瘤", "癌", "恶性肿瘤"],
        "dic": ["凝血", "dic", "弥散性血管内凝血"],
        "kidney_problem": ["肾", "肌酐", "尿素氮"],
        "uncontrolled_infection": ["感染", "败血症"],
        "uncontrolled_diabetes": ["糖尿病", "血糖"],
        "severe_mental_disorder": ["精神", "精神疾病", "精神障碍"],
        "brain_lesions": ["磁共振", "核磁", "mri", "脑部病变", "脑病变"],
        "csf_blasts_high": ["脑脊液"],
        "blood_blasts_high": ["外周血"],
        "organ_transplant": ["移植", "器官移植"],
        "sex": ["性别"],
        "pregnant_or_breastfeeding": ["怀孕", "哺乳", "妊娠", "母乳喂养"],
        "active_infectious_disease": ["乙肝", "丙肝", "艾滋", "hiv", "梅毒", "传染病"],
        "respondent": ["谁在回答", "谁在填", "填写人", "回答者"],
        "guardian_can_consent": ["监护人"],
        "brain_pressure_or_consciousness": ["颅内压", "颅内高压", "意识", "意识障碍"],
    },
    "es": {
        "patient_age": ["edad", "cuántos años"],
        "b_all_diagnosis": ["lla-b", "lla b", "leucemia", "diagnóstico"],
        "relapsed_or_refractory": ["recaída", "recaídas", "refractaria", "refractario",
                                   "recidiva"],
        "had_car_t": ["car-t", "car t", "células car-t", "celulas car t"],
        "car_t_activity_lost": ["pérdida de actividad", "dejó de funcionar",
                                "actividad car-t"],
        "relapse_since_car_t": ["recaída desde", "recaída después", "recaída tras"],
        "car_t_loss_months": ["meses", "cuántos meses"],
        "severe_allergies": ["alergia", "alergias", "alérgico", "alérgica"],
        "ecog": ["actividad", "nivel de actividad", "ecog"],
        "bendamustine_9_months": ["bendamustina"],
        "heart_failure_or_arrhythmia": ["corazón", "cardíaco", "cardiaca", "arritmia",
                                        "insuficiencia cardíaca"],
        "respiratory_failure": ["respirar", "respiratoria", "pulmón", "pulmones",
                                "respiración"],
        "other_cancer": ["cáncer", "tumor", "tumores"],
        "dic": ["coagulación", "cid", "dic"],
        "kidney_problem": ["riñón", "riñones", "renal", "creatinina"],
        "uncontrolled_infection": ["infección", "infecciones", "sepsis"],
        "uncontrolled_diabetes": ["diabetes", "azúcar en sangre"],
        "severe_mental_disorder": ["mental", "psiquiátrico", "trastorno mental"],
        "brain_lesions": ["resonancia", "resonancia magnética", "lesiones cerebrales",
                          "lesión cerebral"],
        "csf_blasts_high": ["líquido cefalorraquídeo", "lcr", "punción lumbar"],
        "blood_blasts_high": ["sangre periférica", "blastos en sangre"],
        "organ_transplant": ["trasplante", "trasplantes"],
        "sex": ["sexo", "género"],
        "pregnant_or_breastfeeding": ["embarazada", "embarazo", "lactancia", "amamantando"],
        "active_infectious_disease": ["hepatitis", "vih", "sífilis", "sida",
                                      "enfermedad infecciosa"],
        "respondent": ["quién responde", "quién contesta"],
        "guardian_can_consent": ["tutor", "tutor legal", "tutora"],
        "brain_pressure_or_consciousness": ["presión intracraneal", "intracraneal", "conciencia",
                                            "consciencia"],
    },
}

# Function words for guessing English vs Spanish (folded, so without accents).
_ES_MARKERS = frozenset(
    "que el la los las es un una mi mis su sus soy tiene tengo tuvo ha hace anos meses mes de "
    "del con por para esta estoy si se nunca claro hijo hija yo usted quiero puedo puede sido "
    "creo pero muy cuando despues antes dias semanas nada ninguno ni vale madre padre "
    "nino nina hablar habla espanol tal vez quizas".split()
)
_EN_MARKERS = frozenset(
    "the is he she i my and of to it has have had was yes yeah years months old his her me "
    "not do did you an in on for with what how why can this that know sure think daughter "
    "weeks after about yep nope mom dad mum am 's n't nt don't please english spanish".split()
)
_ES_SIGNS = frozenset("ñ¿¡")  # only Spanish writes these
_ES_ACCENTS = frozenset("áéíóúü")  # Spanish, but French writes é too
# French is not spoken here; its accents and function words must not pass for Spanish.
_FR_CHARS = frozenset("èêëàâçîïôûœ")
_FR_MARKERS = frozenset(
    "je suis mon mes est une des pour avec bonjour merci fils fille ans mois il elle oui pas ne "
    "qui dans au aux cette c'est j'ai nous vous tres".split()
) - {"mes"}  # "mes" is also Spanish ("un mes")

# ================================================================================================
# Text preparation and pipelines
# ================================================================================================

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_ZH_WORD_RE = re.compile(r"[a-z]+|\d+(?:[.,]\d+)?|\S")
_DIGITS_RE = re.compile(r"^\d+(?:[.,]\d+)?$")
_UNIT_SUFFIX = (
    r"(?<=[0-9])(?i:years?|yrs?|yo|months?|mos?|mths?|weeks?|wks?|days?|"
    r"años?|anos?|meses|mes|semanas?|días?|dias?)"
)
_CLAUSE_PUNCT = frozenset(",.;:!?。，；：！？、")
_SENTENCE_PUNCT = frozenset(".!?。！？")
_APOSTROPHES = frozenset("\u2018\u2019\u02bc\u00b4`\uff07")


class _Text(NamedTuple):
    original: str  # the first MAX_CHARS characters of the input
    folded: str
    index: Tuple[int, ...]  # folded position -> original position
    has_cjk: bool


class _Hit(NamedTuple):
    value: object
    start: int  # offsets in the original text
    end: int
    kind: str = ""


def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    c = unicodedata.normalize("NFKC", ch)
    if len(c) != 1:
        c = ch
    low = c.lower()
    if len(low) == 1:
        c = low
    decomposed = unicodedata.normalize("NFD", c)
    if len(decomposed) > 1 and decomposed[0].isascii() and all(
        unicodedata.combining(x) for x in decomposed[1:]
    ):
        c = decomposed[0]
    if c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return " "
    return c


@lru_cache(maxsize=512)
def _prepare(text: str) -> _Text:
    original = text[:MAX_CHARS]
    chars: List[str] = []
    index: List[int] = []
    for i, ch in enumerate(original):
        c = _fold_char(ch)
        if c == " " and (not chars or chars[-1] == " "):
            continue
        chars.append(c)
        index.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    folded = "".join(chars)
    return _Text(original, folded, tuple(index), bool(_CJK_RE.search(folded)))


def _as_text(text: object) -> str:
    return text if isinstance(text, str) else ""


@cache
def get_nlp(lang: str) -> Language:
    """The blank spaCy pipeline for ``lang``, built once.

    English and Spanish get a suffix rule that splits a unit glued to a number ("39years"), which
    helps both the rules here and the Rasa tokenizer's features.
    """
    if lang == "zh":
        return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp = spacy.blank(lang if lang in ("en", "es") else "en")
    suffixes = list(nlp.Defaults.suffixes or []) + [_UNIT_SUFFIX]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    return nlp


def _zh_doc(folded: str) -> Doc:
    words: List[str] = []
    spaces: List[bool] = []
    for m in _ZH_WORD_RE.finditer(folded):
        words.append(m.group())
        spaces.append(m.end() < len(folded) and folded[m.end()] == " ")
    return Doc(get_nlp("zh").vocab, words=words, spaces=spaces)


@lru_cache(maxsize=256)
def _doc(folded: str, lang: str) -> Doc:
    if lang == "zh":
        return _zh_doc(folded)
    return get_nlp(lang).make_doc(folded)


def _pattern_doc(lang: str, phrase: str) -> Doc:
    return _doc(_prepare(phrase).folded, lang)


def _span_offsets(t: _Text, doc: Doc, start: int, end: int) -> Tuple[int, int]:
    """Token span -> character offsets in the original text."""
    if not t.index or end <= start:
        return 0, len(t.original)
    s = doc[start].idx
    last = doc[end - 1]
    e = last.idx + len(last.text) - 1
    s = min(max(s, 0), len(t.index) - 1)
    e = min(max(e, 0), len(t.index) - 1)
    return t.index[s], t.index[e] + 1


def _is_punct(token_text: str) -> bool:
    return all(unicodedata.category(c).startswith(("P", "S")) for c in token_text)


def _content_tokens(doc: Doc) -> List[int]:
    return [i for i, tok in enumerate(doc) if not tok.is_space and not _is_punct(tok.text)]


# ================================================================================================
# Matchers (built once per language and table)
# ================================================================================================


def _key(*parts: object) -> str:
    return "|".join(str(p) for p in parts)


@cache
def _phrase_matcher(table: str, lang: str) -> PhraseMatcher:
    """PhraseMatcher over ``table[lang]``; match ids are "value|flag" ("", "^" or "<")."""
    source = _TABLES[table].get(lang, {})
    vocab = get_nlp(lang).vocab
    matcher = PhraseMatcher(vocab, attr="NORM")
    for value, phrases in source.items():
        by_flag: Dict[str, List[Doc]] = {}
        for phrase in phrases:
            flag = phrase[0] if phrase[:1] in ("^", "<") else ""
            by_flag.setdefault(flag, []).append(_pattern_doc(lang, phrase[len(flag):]))
        for flag, docs in by_flag.items():
            matcher.add(_key(value, flag), docs)
    return matcher


def _phrase_spans(doc: Doc, table: str, lang: str) -> List[Tuple[str, str, int, int]]:
    """Longest non-overlapping matches as (value, kind, start_token, end_token), in text order."""
    content = _content_tokens(doc)
    labels: Dict[Tuple[int, int], str] = {}
    for match_id, s, e in _phrase_matcher(table, lang)(doc):
        label = doc.vocab.strings[match_id]
        flag = label.rpartition("|")[2]
        if flag == "^" and [i for i in content if s <= i < e] != content:
            continue  # only as the whole message
        if flag == "<" and content and s > content[0]:
            continue  # only at the start of the message
        labels.setdefault((s, e), label)
    out = []
    for span in sorted(filter_spans([doc[s:e] for s, e in labels]), key=lambda sp: sp.start):
        value, _, kind = labels[(span.start, span.end)].rpartition("|")
        out.append((value, kind, span.start, span.end))
    return out


_REQUEST_GAP_WORDS = ["in", "en", "to", "a", "me", "us", "with", "conmigo", "el", "the", "idioma",
                      "language", "please", "por", "favor", "only", "now", "solo"]


@cache
def _structure_matcher(lang: str) -> Matcher:
    """Structural patterns that a phrase list cannot express."""
    matcher = Matcher(get_nlp(lang).vocab)
    levels = [_prepare(w).folded for w in ECOG_LEVEL_WORDS[lang]]
    digits = list(ECOG_DIGIT_WORDS[lang])
    if lang == "zh":
        matcher.add("ECOG", [
            [{"NORM": "ecog"}, {"ORTH": {"IN": [":", "=", "是", "为"]}, "OP": "?"},
             {"ORTH": {"IN": digits}}],
            [{"ORTH": "等"}, {"ORTH": "级"}, {"ORTH": {"IN": [":", "=", "是", "为"]}, "OP": "?"},
             {"ORTH": {"IN": digits}}],
            [{"ORTH": "第", "OP": "?"}, {"ORTH": {"IN": digits}}, {"ORTH": "级"}],
        ])
    else:
        matcher.add("ECOG", [
            [{"NORM": {"IN": levels}}, {"NORM": {"IN": [":", "=", "of", "is", "-", "de", "es"]},
                                        "OP": "?"}, {"NORM": {"IN": digits}}],
            [{"NORM": {"REGEX": r"^(?:ecog|level|nivel)[0-4]$"}}],
        ])
    if lang == "en":
        # "not (really|quite) sure / know / remember" is unsure, never "no"; so is having to
        # check or ask someone.
        matcher.add("TRI_UNSURE", [
            [{"NORM": "not"}, {"IS_ALPHA": True, "OP": "?"},
             {"NORM": {"IN": ["sure", "certain", "positive", "know", "remember", "recall"]}}],
            [{"NORM": {"IN": ["have", "need", "'d", "would", "will", "must", "got"]}},
             {"NORM": "to"}, {"NORM": {"IN": ["check", "ask", "look", "find", "verify", "confirm"]}}],
        ])
        # Elongated chat spellings: "yesss", "noooo", "yeahh".
        matcher.add("TRI_YES", [[{"NORM": {"REGEX": r"^(?:ye+s{2,}|ye{2,}s+|ye+a+h{2,}|ye+p{2,})$"}}]])
        matcher.add("TRI_NO", [[{"NORM": {"REGEX": r"^(?:no{2,}|no{2,}pe|na+h{2,})$"}}]])
    if lang == "es":
        matcher.add("TRI_YES", [[{"NORM": {"REGEX": r"^(?:s+i{2,}|s{2,}i+)$"}}]])
        matcher.add("TRI_NO", [[{"NORM": {"REGEX": r"^(?:no{2,}|no+p+)$"}}]])
        matcher.add("TRI_UNSURE", [
            [{"NORM": {"IN": ["tendria", "habria", "tengo", "hay", "tenemos"]}}, {"NORM": "que"},
             {"NORM": {"IN": ["preguntar", "preguntarle", "revisar", "consultar", "mirar",
                              "mirarlo", "comprobar", "ver", "verificar", "checar", "buscar"]}}],
        ])
    verbs = [_pattern_doc(lang, v) for v in LANGUAGE_REQUEST_VERBS[lang]]
    names = sorted({n for names in LANGUAGE_NAMES[lang].values() for n in names})
    if lang == "zh":
        name_words = [[{"NORM": t.norm_} for t in _pattern_doc(lang, n)] for n in names]
        for verb in verbs:
            vpat = [{"NORM": t.norm_} for t in verb]
            matcher.add("LANGREQ", [vpat + npat for npat in name_words])
    else:
        name_norms = [_prepare(n).folded for n in names]
        for verb in verbs:
            vpat = [{"NORM": t.norm_} for t in verb]
            matcher.add("LANGREQ", [
                vpat + [{"NORM": {"IN": _REQUEST_GAP_WORDS}, "OP": "*"},
                        {"NORM": {"IN": name_norms}}],
            ])
        matcher.add("LANGREQ", [
            [{"NORM": {"IN": ["in", "en"]}}, {"NORM": {"IN": name_norms}},
             {"NORM": {"IN": ["please", "por"]}}],
        ])
    return matcher


# ================================================================================================
# Language selection
# ================================================================================================


def detect_script_language(text: str) -> str | None:
    """"zh" when the text has CJK ideographs, else None: a cheap hint, not a language detector."""
    return "zh" if _prepare(_as_text(text)).has_cjk else None


def guess_language(text: str) -> str | None:
    """"zh" for CJK text; "es" / "en" when Spanish or English function words dominate.

    Only a hint: None means "could be either" (or neither: French, with its accents, is not taken
    for Spanish).
    """
    return _guess(_prepare(_as_text(text)), margin=1)


def _guess(t: _Text, margin: int) -> str | None:
    if t.has_cjk:
        return "zh"
    lower = t.original.lower()
    if any(c in _ES_SIGNS for c in lower):
        return "es"
    words = re.findall(r"[a-z']+", t.folded)
    es = sum(w in _ES_MARKERS for w in words)
    en = sum(w in _EN_MARKERS for w in words)
    fr = sum(w in _FR_MARKERS for w in words) + sum(c in _FR_CHARS for c in lower)
    if fr >= 2 and fr > es and fr > en:
        return None
    if any(c in _ES_ACCENTS for c in lower):
        return "es"
    if es - en >= margin:
        return "es"
    if en - es >= margin:
        return "en"
    return None


# Words of one language that mean something else in the other; ignored when the other is preferred.
_FALSE_FRIENDS = {
    "en": frozenset({"son", "he", "me", "ya", "a"}),  # es: "they are", "I have", "me", "already"
    "es": frozenset({"once", "me", "sin", "ya", "mayo", "red", "era"}),  # en: "once", "me", ...
}


def _languages(t: _Text, lang: str | None) -> Tuple[List[str], str | None]:
    """Which languages' tables to consult, and the preferred Latin language (if any)."""
    langs: List[str] = ["zh"] if t.has_cjk else []
    if not t.has_cjk or re.search("[a-z]", t.folded):
        langs.extend(["en", "es"])
    preferred = lang if lang in ("en", "es") else _guess(t, margin=2)
    return langs, preferred if preferred in ("en", "es") else None


def _longest_first(hits: Iterable[_Hit]) -> List[_Hit]:
    """Across languages, keep the longest non-overlapping hits (character offsets)."""
    kept: List[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def _run(text: object, lang: str | None, per_lang: Callable[[_Text, Doc, str], List[_Hit]]
         ) -> Tuple[_Text, List[_Hit]]:
    t = _prepare(_as_text(text))
    hits: List[_Hit] = []
    if not t.folded:
        return t, hits
    langs, preferred = _languages(t, lang)
    for code in langs:
        found = per_lang(t, _doc(t.folded, code), code)
        if preferred and code in _FALSE_FRIENDS and code != preferred:
            found = [h for h in found if _prepare(t.original[h.start:h.end]).folded
                     not in _FALSE_FRIENDS[code]]
        hits.extend(found)
    return t, hits


# ================================================================================================
# yes / no / unsure
# ================================================================================================

_FLIP_TO_UNSURE = {"sure", "certain", "positive", "seguro", "segura"}


def _negated_before(doc: Doc, start: int, lang: str, window: int = 3) -> bool:
    """A negation word within ``window`` tokens before ``start``, in the same clause."""
    if lang == "zh":
        before = ""
        for i in range(start - 1, max(start - window, 0) - 1, -1):
            if doc[i].text in _CLAUSE_PUNCT:
                break
            before = doc[i].text + before
        if before.endswith(("是不是", "有没有")):
            return False
        return before.endswith(NEGATIONS["zh"])
    for i in range(start - 1, max(start - window, 0) - 1, -1):
        if doc[i].text in _CLAUSE_PUNCT:
            return False
        if doc[i].norm_ in NEGATIONS[lang] or doc[i].norm_ == "doubt":
            return True
    return False


def _tri_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    hits = []
    for value, _kind, s, e in _phrase_spans(doc, "tri", lang):
        if value == "ignore":
            hits.append(_Hit(value, *_span_offsets(t, doc, s, e)))
            continue
        if value == "yes" and lang != "zh":
            nxt = doc[e].norm_ if e < len(doc) else ""
            if _negated_before(doc, s, lang) or (
                nxt in ("not", "no", "never") and " " in doc[s:e].text
            ):
                value = "unsure" if doc[s:e].text in _FLIP_TO_UNSURE else "no"
        hits.append(_Hit(value, *_span_offsets(t, doc, s, e)))
    for match_id, s, e in _structure_matcher(lang)(doc):
        label = doc.vocab.strings[match_id]
        if label.startswith("TRI_"):
            hits.append(_Hit(label[4:].lower(), *_span_offsets(t, doc, s, e)))
    if lang == "es":
        # An accented "sí" is yes anywhere ("pues sí"); a bare "si" ("if") only at the start.
        for tok in doc:
            start, end = _span_offsets(t, doc, tok.i, tok.i + 1)
            if tok.norm_ == "si" and "í" in t.original[start:end].lower():
                hits.append(_Hit("yes", start, end))
    return hits


def _tri(text: str, lang: str | None) -> _Hit | None:
    _, hits = _run(text, lang, _tri_hits)
    # The words of an emergency phrase are not an answer: "no" in "mi hijo no puede respirar",
    # "没有" in "孩子没有呼吸了".
    alarms = _emergency_all(text)
    kept = [h for h in _longest_first(hits) if h.value != "ignore"
            and not any(h.start < a.end and a.start < h.end for a in alarms)]
    values = {h.value for h in kept}
    if not values:
        return None
    if "unsure" in values:
        value = "unsure"
    elif len(values) > 1:
        return None  # "yes ... no": ask again rather than guess
    else:
        value = values.pop()
    chosen = [h for h in kept if h.value == value]
    return _Hit(value, chosen[0].start, chosen[-1].end)


def parse_tri(text: str, lang: str | None = None) -> str | None:
    """yes / no / unsure, or None.

    The longest phrase wins ("not sure" over "sure", "no idea" over "no", "不知道" over "不"),
    "unsure" wins over yes/no anywhere in the message, a yes-phrase right after a negation
    ("I don't think he did") is a no, and a message with both a yes and a no is None so the
    question is asked again. Words inside an emergency phrase never count ("mi hijo no puede
    respirar" is not a "no"); an answer beside one does ("sí, y ahora no respira").
    """
    hit = _tri(text, lang)
    return hit.value if hit else None  # type: ignore[return-value]


# ================================================================================================
# Numbers and durations
# ================================================================================================


class _Num(NamedTuple):
    value: float
    start: int  # token offsets
    end: int
    kind: str = ""  # "" a quantity, or one of _KINDS_NOT_QUANTITY / "article"


# A calendar year, a month name ("三月"), a percentage or "one" as a pronoun is no quantity: no
# unit makes it a duration. "un"/"una" ("article") is 1 only before a unit or another number.
_KINDS_NOT_QUANTITY = frozenset({"year", "month", "percent", "pronoun"})
_KINDS_NOT_BARE = _KINDS_NOT_QUANTITY | {"article"}
_MIXED_FRACTION_RE = re.compile(r"^(\d+)([½¼¾])$")
_FRACTION_RE = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_ORDINAL_RE = re.compile(r"^(\d{1,2})(st|nd|rd|th|º|°|o)?$")  # a day: "5", "5th", "1º"
_NUMERIC_DATE_RES = (  # (regex, order of year / month / day groups)
    (re.compile(r"(?<![\d/.-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d/.-])"), "ymd"),
    (re.compile(r"(?<![\d/.-])(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?![\d/.-])"), "xxy"),
)


def _digits_value(text: str, lang: str) -> float | None:
    if not _DIGITS_RE.match(text):
        return None
    if "," in text:
        head, tail = text.split(",", 1)
        if lang != "es" and len(tail) == 3:
            text = head + tail  # 1,000
        else:
            text = head + "." + tail  # 7,5
    elif "." in text and lang == "es":
        head, tail = text.split(".", 1)
        if len(tail) == 3:
            text = head + tail  # 1.000
    try:
        value = float(text)
    except ValueError:  # pragma: no cover - the regex only lets digits through
        return None
    return value if value == value and value != float("inf") else None


@cache
def _folded(table: str, lang: str) -> Dict[str, float]:
    """One of the number tables for ``lang``, folded like the input (lists map to 1)."""
    source: Dict[str, object] = {
        "small": NUMBER_WORDS, "hundreds": HUNDREDS, "thousands": THOUSANDS,
        "unread": UNREAD_SCALES, "points": DECIMAL_POINTS, "zero": ZERO_WORDS,
        "leading_points": LEADING_POINTS,
        "tens_joiners": TENS_JOINERS, "scale_joiners": SCALE_JOINERS, "one": ONE_WORDS,
        "one_before": ONE_PRONOUN_BEFORE, "one_after": ONE_PRONOUN_AFTER,
        "year_cues": YEAR_CUES, "months": MONTHS, "month_cue_words": MONTH_WORDS_NEED_CUE,
        "month_cues": MONTH_CUES, "date_fillers": DATE_FILLERS, "birth": BIRTH_CUES,
    }[table]
    entries = source.get(lang, {})  # type: ignore[attr-defined]
    if isinstance(entries, dict):
        return {_prepare(w).folded: v for w, v in entries.items()}
    return {_prepare(w).folded: 1 for w in entries}


@cache
def _unit_words(lang: str) -> frozenset:
    return frozenset(_prepare(u).folded.split(" ")[0] for u in UNITS.get(lang, {}))


# --- English and Spanish: a scan over tokens --------------------------------------------------------


def _tens_units(norms: Sequence[str], i: int, lang: str) -> Tuple[int, int]:
    """0-99 from the number word at ``i``: "thirty-one", "treinta y uno", "twenty five"."""
    small = _folded("small", lang)
    value, j = int(small[norms[i]]), i + 1
    if 20 <= value < 100 and value % 10 == 0:
        joiners = _folded("tens_joiners", lang)
        k = j + 1 if j < len(norms) and norms[j] in joiners else j
        if k < len(norms) and 0 < small.get(norms[k], 0) < 10:
            value, j = value + int(small[norms[k]]), k + 1
    return value, j


def _after_scale(norms: Sequence[str], j: int, lang: str) -> Tuple[int | None, int]:
    """What follows "hundred"/"ciento"/"thousand": "(and) twenty-five" -> (25, end)."""
    small = _folded("small", lang)
    k = j + 1 if j + 1 < len(norms) and norms[j] in _folded("scale_joiners", lang) else j
    if k < len(norms) and small.get(norms[k], 0) > 0:
        return _tens_units(norms, k, lang)
    return None, j


def _group(norms: Sequence[str], i: int, lang: str) -> Tuple[int | None, int]:
    """0-999 at ``i``: "one hundred and twenty-five", "ciento veinte", "nineteen hundred"."""
    if i >= len(norms):
        return None, i
    small, hundreds = _folded("small", lang), _folded("hundreds", lang)
    w = norms[i]
    if w in small:
        value, j = _tens_units(norms, i, lang)
        if lang == "en" and value > 0 and j < len(norms) and norms[j] in hundreds:
            rest, j = _after_scale(norms, j + 1, lang)
            value = value * 100 + (rest or 0)
        return value, j
    if w in hundreds and (lang != "en" or w == "hundred"):
        rest, j = _after_scale(norms, i + 1, lang)
        return int(hundreds[w]) + (rest or 0), j
    return None, i


def _word_number(norms: Sequence[str], i: int, lang: str) -> Tuple[int | None, int, str]:
    """A whole number in words at ``i``, up to the thousands; kind "unread" for a scale word that
    is not read (million, dozen) or a bare "thousand"/"mil": no number at all, never a part."""
    thousands, unread = _folded("thousands", lang), _folded("unread", lang)
    value, j = _group(norms, i, lang)
    if j < len(norms) and norms[j] in thousands:
        k = j + 1
        if k + 1 < len(norms) and norms[k] in _folded("scale_joiners", lang):
            k += 1  # "two thousand and nine"
        rest, after = _group(norms, k, lang)
        if value is None and rest is None:
            return None, j + 1, "unread"
        value = (1 if value is None else value) * 1000 + (rest or 0)
        j = after if rest is not None else j + 1
    if j < len(norms) and norms[j] in unread:
        return None, j + 1, "unread"
    if value is None and i < len(norms) and norms[i] in unread:
        return None, i + 1, "unread"
    return value, j, ""


def _year_pair(norms: Sequence[str], i: int, lang: str) -> Tuple[int, int] | None:
    """ "(in) twenty nineteen", "nineteen ninety-nine", "twenty oh nine": a year said in pairs.
    After a cue ("in", "since") any such year; without one only a past year, so "twenty
    thirty" stays two numbers but "nineteen ninety-nine" is never read as 19."""
    small = _folded("small", lang)
    if lang != "en" or small.get(norms[i]) not in (19, 20) or i + 1 >= len(norms):
        return None
    century, k = int(small[norms[i]]) * 100, i + 1
    year = None
    if norms[k] in _folded("zero", lang) and k + 1 < len(norms) and 0 < small.get(norms[k + 1], 0) < 10:
        year, end = century + int(small[norms[k + 1]]), k + 2
    elif small.get(norms[k], 0) >= 10:
        low, end = _tens_units(norms, k, lang)
        if end >= len(norms) or norms[end] not in _folded("hundreds", lang):
            year = century + low
    cued = i > 0 and norms[i - 1] in _folded("year_cues", lang)
    return (year, end) if year is not None and (cued or year <= date.today().year) else None


def _decimal_tail(norms: Sequence[str], end: int, value: float, lang: str) -> Tuple[float, int]:
    """ "two point five", "doce coma noventa y nueve", "one point oh five", "2 point 5"."""
    if value != int(value) or end + 1 >= len(norms) or norms[end] not in _folded("points", lang):
        return value, end
    k = end + 1
    if norms[k].isdigit():
        return float(f"{int(value)}.{norms[k]}"), k + 1
    digits = ""
    zero = _folded("zero", lang)
    small = _folded("small", lang)
    while k < len(norms) and (norms[k] in zero or small.get(norms[k]) == 0):
        digits, k = digits + "0", k + 1  # leading zeros: "point zero five"
    group, after = _group(norms, k, lang)
    if group is not None and group < 10 and after == k + 1:
        while group is not None and group < 10 and after == k + 1:  # "point two five" = .25
            digits, k = digits + str(group), after
            group, after = _group(norms, k, lang)
    elif group is not None:
        digits, k = digits + str(group), after  # "point ninety-nine", "coma cuatrocientos uno"
    return (float(f"{int(value)}.{digits}"), k) if digits else (value, end)


def _half_tail(norms: Sequence[str], end: int, value: float, lang: str) -> Tuple[float, int]:
    """ "seven and a half", "siete y medio", "7½", "2 1/2"."""
    tail = norms[end:end + 3]
    if lang == "en" and tail[:2] in (["and", "a"], ["and", "one"]) and tail[2:3] == ["half"]:
        return value + 0.5, end + 3
    if lang == "es" and tail[:1] == ["y"] and tail[1:2] and tail[1] in HALF_WORDS["es"]:
        return value + 0.5, end + 2
    if tail[:1] and tail[0] in FRACTIONS:
        return value + FRACTIONS[tail[0]], end + 1
    m = _FRACTION_RE.match(tail[0]) if tail and value == int(value) else None
    if m and 0 < int(m.group(1)) < int(m.group(2)):
        return value + int(m.group(1)) / int(m.group(2)), end + 1
    return value, end


def _latin_number_at(norms: Sequence[str], i: int, lang: str) -> Tuple[float | None, int, str] | None:
    """The number starting at token ``i`` as (value, end, kind), or None when none starts here."""
    w = norms[i]
    digits = _digits_value(w, lang)
    if digits is not None:
        j = i + 1
        if j < len(norms) and norms[j] in _folded("unread", lang):
            return None, j + 1, "unread"  # "3 million"
        if j < len(norms) and norms[j] in _folded("thousands", lang) and digits == int(digits):
            return digits * 1000, j + 1, ""  # "2 thousand"
        return digits, j, ""
    m = _MIXED_FRACTION_RE.match(w)
    if m:
        return int(m.group(1)) + FRACTIONS[m.group(2)], i + 1, ""
    if w == "1/2":
        return 0.5, i + 1, ""
    if w in _folded("leading_points", lang):
        value, end = _decimal_tail(norms, i, 0.0, lang)
        return (value, end, "") if end > i else None
    pair = _year_pair(norms, i, lang)
    if pair:
        return float(pair[0]), pair[1], "year"
    k = i
    scales = {**_folded("hundreds", lang), **_folded("thousands", lang), **_folded("unread", lang)}
    if lang == "en" and w in ("a", "an") and i + 1 < len(norms) and norms[i + 1] in scales:
        k = i + 1  # "a hundred", "a thousand", "a million"
    value, end, kind = _word_number(norms, k, lang)
    if value is None and not kind:
        return None
    return (None if value is None else float(value)), end, kind


def _percent_length(norms: Sequence[str], end: int, lang: str) -> int:
    """How many tokens at ``end`` say "per cent" ("%", "percent", "por ciento"); 0 if none."""
    for phrase in PERCENT_WORDS.get(lang, []):
        words = _prepare(phrase).folded.split(" ")
        if list(norms[end:end + len(words)]) == words:
            return len(words)
    return 0


def _month_before(norms: Sequence[str], start: int, lang: str) -> bool:
    """A month name just before ``start``, skipping a day and fillers ("May 5, 2020")."""
    fillers = _folded("date_fillers", lang)
    k = start - 1
    while k >= 0 and start - k <= 4 and (norms[k] in fillers or _ORDINAL_RE.match(norms[k])):
        k -= 1
    return k >= 0 and _month_at(norms, k, lang) is not None


def _latin_kind(norms: Sequence[str], start: int, end: int, value: float, lang: str) -> str:
    prev = norms[start - 1] if start else ""
    nxt = norms[end] if end < len(norms) else ""
    if _percent_length(norms, end, lang):
        return "percent"
    if end - start == 1 and norms[start] in _folded("one", lang):
        before_unit_or_number = nxt in _unit_words(lang) or _latin_number_at(norms, end, lang) \
            if nxt else False
        if norms[start] in ARTICLE_ONE.get(lang, ()) and not before_unit_or_number:
            return "article"
        if nxt in _folded("one_after", lang) or (
                prev in _folded("one_before", lang) and not before_unit_or_number):
            return "pronoun"
    if value == int(value) and 1900 <= value <= 2100 and (
            prev in _folded("year_cues", lang) or _month_before(norms, start, lang)):
        return "year"
    return ""


def _latin_numbers(doc: Doc, lang: str) -> List[_Num]:
    norms = [tok.norm_ for tok in doc]
    found: List[_Num] = []
    i = 0
    while i < len(norms):
        got = _latin_number_at(norms, i, lang)
        if got is None:
            i += 1
            continue
        value, end, kind = got
        if value is not None:
            if kind != "year":
                value, end = _decimal_tail(norms, end, value, lang)
                value, end = _half_tail(norms, end, value, lang)
                kind = _latin_kind(norms, i, end, value, lang)
            found.append(_Num(value, i, end, kind))
            if kind == "percent":
                end += _percent_length(norms, end, lang)  # "por ciento" is no second number
        i = end
    return found


# --- Chinese: runs of numeral characters ----------------------------------------------------------


def _zh_digit_string(chars: str, decimal: bool) -> Tuple[float | None, str]:
    """Numerals without 十/百/千: one digit, or digits read one by one (二零一九 = 2019). Two
    neighbouring digits such as 三四 or 七八 mean "three or four": no number."""
    digits = [ZH_DIGITS[c] for c in chars]
    if len(digits) > 15:
        return None, ""  # no age, duration or year is that long
    if not decimal and len(digits) == 2 and digits[0] > 0 and digits[1] == digits[0] + 1:
        return None, ""
    return float("".join(str(d) for d in digits)), ("digits" if len(digits) > 1 else "")


def _zh_value(chars: str) -> Tuple[float | None, str]:
    """Value of a run of Chinese numerals, and "digits" when read digit by digit. None when it
    holds a scale that is not read (万), says "N or N+1" (十二三) or is not a number (十一十二)."""
    if any(c in UNREAD_SCALES["zh"] for c in chars):
        return None, ""
    for c, tens in ZH_TENS.items():
        chars = chars.replace(c, "一二三四五六七八九"[tens // 10 - 1] + "十")
    whole, point, frac = chars.partition("点")
    if point and (not frac or not whole):
        return None, ""
    if not any(c in ZH_MULTIPLIERS for c in whole):
        value, kind = _zh_digit_string(whole, bool(point)) if whole else (None, "")
    else:
        value, kind = _zh_with_multipliers(whole), ""
    if value is None or not point:
        return value, kind
    return float(f"{int(value)}.{''.join(str(ZH_DIGITS[c]) for c in frac)}"), kind


def _zh_with_multipliers(chars: str) -> float | None:
    """三十一 = 31, 一百零五 = 105, 一百二 = 120, 两千六 = 2600; None for 十一十二 or 十二三."""
    if all(c in ZH_MULTIPLIERS and ZH_MULTIPLIERS[c] >= 100 for c in chars):
        return None  # 百, 千 alone ("百分之", "千万") are words
    total, current, last_mult, prev = 0, None, 10 ** 9, ""
    for c in chars:
        if c in ZH_DIGITS:
            if prev in ZH_DIGITS and ZH_DIGITS[prev] and ZH_DIGITS[c]:
                return None  # 十二三: twelve or thirteen
            current = ZH_DIGITS[c]
        else:
            mult = ZH_MULTIPLIERS[c]
            if mult >= last_mult:
                return None
            total += (current or 1) * mult
            last_mult, current = mult, None
        prev = c
    if current:
        # 一百二 is 120 and 两千六 2600: a last digit right after 百/千 counts in the next place down.
        total += current * (last_mult // 10 if prev in ZH_DIGITS and chars[-2:-1] in
                            [k for k, v in ZH_MULTIPLIERS.items() if v >= 100] else 1)
    return float(total)


def _zh_skip_single(chars: str, prev: str, nxt: str) -> bool:
    """一/十/formal numerals alone inside ordinary words ("一些", "十分", "陆续", "收拾")."""
    if chars in ZH_FORMAL:
        return True
    if chars in ("一", "十"):
        return nxt in ZH_NOT_NUMBER_AFTER or prev in ZH_NOT_NUMBER_BEFORE or (
            chars == "十" and nxt == "分")
    return False


def _zh_two_digit_year(value: float) -> float:
    year = 2000 + int(value)
    return float(year if year <= date.today().year else year - 100)


_ZH_NUMERALS = frozenset(ZH_DIGITS) | frozenset(ZH_MULTIPLIERS) | frozenset(ZH_TENS) | frozenset(
    UNREAD_SCALES["zh"])


def _zh_runs(doc: Doc) -> List[Span]:
    """Arabic digit tokens, and the longest runs of Chinese numerals ("三十一", "二零一九", "二点五"),
    in one pass (a Matcher with "+" enumerates every sub-run: quadratic on a long message)."""
    texts = [tok.text for tok in doc]
    runs: List[Span] = []
    i = 0
    while i < len(texts):
        if _DIGITS_RE.match(texts[i]):
            runs.append(doc[i:i + 1])
            i += 1
            continue
        j = i
        while j < len(texts) and texts[j] in _ZH_NUMERALS:
            j += 1
        if j > i and j + 1 < len(texts) and texts[j] in DECIMAL_POINTS["zh"] and texts[j + 1] in ZH_DIGITS:
            j += 1
            while j < len(texts) and texts[j] in ZH_DIGITS:
                j += 1
        if j > i:
            runs.append(doc[i:j])
        i = max(j, i + 1)
    return runs


def _zh_numbers(doc: Doc) -> List[_Num]:
    texts = [tok.text for tok in doc]
    spans = _zh_runs(doc)
    found: List[_Num] = []
    skip_until = -1
    for idx, span in enumerate(spans):
        s, e = span.start, span.end
        if s < skip_until:
            continue
        prev = texts[s - 1] if s > 0 else ""
        nxt = texts[e] if e < len(texts) else ""
        chars = span.text.replace(" ", "")
        if nxt in UNREAD_SCALES["zh"] or prev in UNREAD_SCALES["zh"]:
            continue  # 10万, 100万三千
        if len(span) == 1 and _DIGITS_RE.match(span.text):
            value, kind = _digits_value(span.text, "zh"), ""
            if nxt in DECIMAL_POINTS["zh"] and texts[e + 1:e + 2] and texts[e + 1].isdigit() \
                    and value is not None and value == int(value):
                value, e, skip_until = float(f"{int(value)}.{texts[e + 1]}"), e + 2, e + 2  # 2点5岁
                nxt = texts[e] if e < len(texts) else ""
        elif len(chars) == 1 and _zh_skip_single(chars, prev, nxt):
            continue
        else:
            value, kind = _zh_value(chars)
        if value is None and chars == "百" and texts[e:e + 2] == ["分", "之"]:
            value = 100.0  # 百分之八
        if value is None:
            continue
        if prev in ZH_NEGATIVE:
            value, s = -value, s - 1
        following = spans[idx + 1] if idx + 1 < len(spans) else None
        if texts[e:e + 2] == ["分", "之"] and following is not None and following.start == e + 2:
            part, _ = _zh_value(following.text.replace(" ", ""))
            if part is not None and value:  # 三分之一 = 1/3; 百分之八 is 8 (per cent)
                found.append(_Num(part if value == 100 else part / value, s, following.end,
                                  "percent" if value == 100 else ""))
            skip_until = following.end
            continue
        if nxt == "年" and (kind == "digits" or value >= 1000) and value == int(value):
            value, kind = (_zh_two_digit_year(value) if value < 100 else value), "year"
        elif nxt == "月" and prev != "个" and chars not in ("两", "兩") and value == int(value) \
                and 1 <= value <= 12:
            kind = "month"
        elif nxt == "%":
            kind = "percent"
        else:
            kind = ""
        found.append(_Num(value, s, e, kind))
    return found


def _numbers(doc: Doc, lang: str) -> List[_Num]:
    """Every number in the doc, with "point five", "and a half", "y medio", "½" added on."""
    return _zh_numbers(doc) if lang == "zh" else _latin_numbers(doc, lang)


# --- Durations ------------------------------------------------------------------------------------


class _Piece(NamedTuple):
    months: float
    start: int
    end: int
    unit: float  # months per unit, to add "39 years 11 months" but not "11 months 39 years"
    age: str = ""  # Chinese "nominal" (虚岁) or "real" (周岁); "" when not said


def _units(doc: Doc, lang: str) -> List[Tuple[int, int, float, str]]:
    return [(s, e, float(value), doc[s:e].text.replace(" ", ""))
            for value, _kind, s, e in _phrase_spans(doc, "units", lang)]


def _zh_age_kind(norms: Sequence[str], start: int, end: int, unit: str) -> str:
    """虚岁 / 周岁 named by the unit, just before the number ("虚岁8岁", "周岁：7") or in brackets
    after it ("8岁（虚岁）")."""
    before = "".join(norms[max(0, start - 4):start]).rstrip("：:是为有 ")
    after = "".join(norms[end:end + 4])
    for kind, markers in (("nominal", ZH_NOMINAL_AGE), ("real", ZH_REAL_AGE)):
        if unit in markers or any(before.endswith(m) or after.startswith(("（" + m, "(" + m))
                                  for m in markers):
            return kind
    return ""


def _zh_piece(doc: Doc, norms: Sequence[str], by_end: Dict[int, _Num], us: int, ue: int,
              mult: float, unit: str) -> _Piece | None:
    value: float | None = None
    start, end = us, ue
    halves = HALF_WORDS["zh"]
    if us >= 1 and norms[us - 1] in ZH_COUNT_WORDS:  # 俩月, 仨星期
        value, start = float(ZH_COUNT_WORDS[norms[us - 1]]), us - 1
    elif unit == "月":  # bare 月 is a month name ("三月"), except in 两个半月 / 三个多月
        if us >= 2 and norms[us - 1] in ("半", "多") and norms[us - 2] == "个" and (us - 2) in by_end:
            n = by_end[us - 2]
            value, start = n.value + (0.5 if norms[us - 1] == "半" else 0.0), n.start
    elif us >= 1 and norms[us - 1] in halves:
        value, start = 0.5, us - 1
    elif us in by_end:
        value, start = by_end[us].value, by_end[us].start
    elif us >= 1 and norms[us - 1] == "多" and (us - 1) in by_end:  # 三十多岁
        value, start = by_end[us - 1].value, by_end[us - 1].start
    if value is None or (unit == "年" and value >= 1000):  # 2019年 is a date
        return None
    if ue < len(doc) and norms[ue] in halves:  # 一岁半, 一年半
        value, end = value + 0.5, ue + 1
    return _Piece(value * mult, start, end, mult, _zh_age_kind(norms, start, end, unit))


def _latin_piece(norms: Sequence[str], by_end: Dict[int, _Num], us: int, ue: int, mult: float,
                 lang: str) -> _Piece | None:
    value: float | None = None
    start, end = us, ue
    halves = HALF_WORDS[lang]
    k = us - 1 if us >= 1 and norms[us - 1] == "-" else us
    if k in by_end:
        value, start = by_end[k].value, by_end[k].start
    elif lang == "en" and k >= 1 and norms[k - 1] in ("a", "an"):
        value, start = 1.0, k - 1
        if k >= 2 and norms[k - 2] in halves:  # half a year
            value, start = 0.5, k - 2
    elif k >= 1 and norms[k - 1] in halves:  # half year, a half year, medio año
        value, start = 0.5, k - 1
        if lang == "en" and k >= 2 and norms[k - 2] in ("a", "an"):
            start = k - 2
    if value is None:
        return None
    tail = norms[ue:ue + 3]
    if lang == "en" and tail == ["and", "a", "half"]:
        value, end = value + 0.5, ue + 3
    elif lang == "es" and tail[:1] == ["y"] and tail[1:2] and tail[1] in halves:
        value, end = value + 0.5, ue + 2
    return _Piece(value * mult, start, end, mult)


def _duration_pieces(doc: Doc, lang: str) -> List[_Piece]:
    """Each "number + unit" in the doc (and in Chinese a number after 虚岁/周岁 alone)."""
    nums = [n for n in _numbers(doc, lang) if n.kind not in _KINDS_NOT_QUANTITY]
    by_end = {n.end: n for n in nums}
    norms = [tok.norm_ for tok in doc]
    pieces = []
    for us, ue, mult, unit in _units(doc, lang):
        piece = (_zh_piece(doc, norms, by_end, us, ue, mult, unit) if lang == "zh"
                 else _latin_piece(norms, by_end, us, ue, mult, lang))
        if piece is not None:
            pieces.append(piece)
    if lang == "zh":  # "虚岁8", "周岁：7" without 岁 after the number
        for n in nums:
            age = _zh_age_kind(norms, n.start, n.end, "")
            if age and not any(p.start <= n.start < p.end for p in pieces) and not (
                    n.end < len(norms) and norms[n.end] in _unit_words("zh")):
                pieces.append(_Piece(n.value * 12, n.start, n.end, 12, age))
    return sorted(pieces, key=lambda p: p.start)


_CONNECTORS = frozenset({",", "and", "y", "e", "&", "零", "又", "、", "-", "plus"})


def _duration_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    pieces = _duration_pieces(doc, lang)
    if not pieces:
        return []
    groups: List[List[_Piece]] = [[pieces[0]]]
    for piece in pieces[1:]:
        prev = groups[-1][-1]
        gap = [tok.norm_ for tok in doc[prev.end:piece.start]]
        if piece.start >= prev.end and all(g in _CONNECTORS for g in gap) and piece.unit < prev.unit:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    # A real age (周岁) beats a nominal one (虚岁); a nominal age alone is one year more than the
    # real age, and is flagged so the assistant can check it with the person.
    ages = [next((p.age for p in g if p.age), "") for g in groups]
    kind = "nominal" if "nominal" in ages and "real" not in ages else ""
    chosen = groups[ages.index("real")] if "real" in ages else (
        groups[ages.index("nominal")] if kind else groups[0])
    months = round(sum(p.months for p in chosen), 4)
    if kind:
        months = max(months - 12, 0.0)
    return [_Hit(months, *_span_offsets(t, doc, chosen[0].start, chosen[-1].end), kind)]


def _duration(text: str, lang: str | None) -> _Hit | None:
    _, hits = _run(text, lang, _duration_hits)
    if not hits:
        return None
    return sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))[0]


def parse_duration_months(text: str, lang: str | None = None) -> float | None:
    """A duration or age given WITH a unit, in total months; None without a unit.

    Adjacent pieces add up ("39 years and 11 months" = 479); weeks are a quarter month, days
    1/30. A bare Chinese "月" after a number is a month name (三月 = March), so only 个月 counts;
    a year before 年 (2019年, 二零一九年) is a calendar year. A Chinese nominal age (虚岁) gives
    the real age, one year less, unless the real age (周岁) is given too; ``extract_entities``
    flags the first case with a ``nominal_age_years`` entity.
    """
    hit = _duration(text, lang)
    return float(hit.value) if hit else None  # type: ignore[arg-type]


# --- Bare numbers ---------------------------------------------------------------------------------


def _counted(doc: Doc, n: _Num, lang: str) -> bool:
    """A number that counts or names things is neither an age nor a number of months: a Chinese
    number before a measure word ("一个回答", "三次"), "one answer", "wait one minute",
    "answer 3", "la pregunta número 5"."""
    if lang == "zh":
        return n.end < len(doc) and doc[n.end].text in ZH_COUNTERS
    counted = _LATIN_COUNTED  # both tables: every Latin text is read as English and as Spanish
    if n.end < len(doc) and doc[n.end].norm_ in counted:
        return True
    before = [doc[i].norm_ for i in range(max(n.start - 2, 0), n.start)]
    return bool(before) and (before[-1] in counted or before[-1] in _NUMBER_LABELS
                             and len(before) == 2 and before[0] in counted)


def _number_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    if _duration_pieces(doc, lang):
        return [_Hit(None, 0, len(t.original), "unit")]
    # The day and month of a date ("born March 4, 2015", "2015年3月4日") are no age either.
    dated = [(d.start, d.end) for d in _dates(t, doc, lang) if d.month or d.day]
    hits = []
    for n in _numbers(doc, lang):
        skip = n.kind in _KINDS_NOT_BARE or _counted(doc, n, lang) or any(
            s <= n.start < e for s, e in dated)
        hits.append(_Hit(None if skip else n.value, *_span_offsets(t, doc, n.start, n.end),
                         "skip" if skip else ""))
    return hits


def _number(text: str, lang: str | None) -> _Hit | None:
    """The first bare number. What one language reads as a year, a pronoun or an article is no
    number in the other either ("en 2019", "the one")."""
    _, hits = _run(text, lang, _number_hits)
    if any(h.kind == "unit" for h in hits):
        return None
    skips = [h for h in hits if h.kind == "skip"]
    kept = [h for h in hits if not h.kind and not any(
        h.start < s.end and s.start < h.end for s in skips)]
    return sorted(kept, key=lambda h: (h.start, -(h.end - h.start)))[0] if kept else None


def parse_number(text: str, lang: str | None = None) -> float | None:
    """The first bare number (digits or words) in the text; None when there is a unit.

    "7,5" is 7.5 (a comma followed by exactly three digits is a thousands separator, except in
    Spanish where the comma is always decimal). Not numbers: Spanish "un"/"una" as an article,
    "one" as a pronoun ("no one knows"), a calendar year ("in 2019", "二零一九年"), a month name,
    a percentage, and any number with a scale word that is not read ("a thousand", "一万"):
    those give None rather than a part of a number.
    """
    hit = _number(text, lang)
    return float(hit.value) if hit else None  # type: ignore[arg-type]


class NumberFound(NamedTuple):
    value: float
    start: int  # character offsets in the original text
    end: int
    kind: str  # "" a quantity; "year", "month", "percent" (pronouns and articles are left out)


def _found_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    return [_Hit(n.value, *_span_offsets(t, doc, n.start, n.end), f"{lang}:{n.kind}")
            for n in _numbers(doc, lang) if n.kind not in ("pronoun", "article")]


def find_numbers(text: str, lang: str | None = None) -> List[NumberFound]:
    """Every number the parser reads in the text, in order, with its kind (for measurement and
    debugging: the answers come from ``parse_number`` / ``parse_duration_months``). When English
    and Spanish read the same words differently, ``lang``'s reading wins."""
    t, hits = _run(text, lang, _found_hits)
    first = lang if lang in LANGUAGES else (_guess(t, margin=2) or "en")
    ranked = sorted(hits, key=lambda h: (-(h.end - h.start), h.start, not h.kind.startswith(first)))
    kept: List[_Hit] = []
    for hit in ranked:
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return [NumberFound(float(h.value), h.start, h.end, h.kind.partition(":")[2])  # type: ignore[arg-type]
            for h in sorted(kept, key=lambda h: h.start)]


# --- Dates: calendar years, month spans, dates of birth -------------------------------------------


class _Date(NamedTuple):
    year: int | None
    month: int | None
    day: int | None
    start: int  # token offsets
    end: int


def _month_at(norms: Sequence[str], i: int, lang: str) -> int | None:
    months = _folded("months", lang)
    w = norms[i]
    if w not in months:
        return None
    if w in _folded("month_cue_words", lang):
        prev = norms[i - 1] if i else ""
        nxt = norms[i + 1] if i + 1 < len(norms) else ""
        if prev not in _folded("month_cues", lang) and not _ORDINAL_RE.match(nxt) and not (
                nxt.isdigit() and len(nxt) == 4):
            return None  # "I may be wrong", "they march"
    return int(months[w])


def _latin_dates(doc: Doc, lang: str, loose: bool) -> List[_Date]:
    """Month names with their day and year, and years alone: those after a cue ("in 2019"), and
    with ``loose`` any four digits from 1900 to 2100 (near a birth word, "DOB: 2015")."""
    norms = [tok.norm_ for tok in doc]
    nums = _latin_numbers(doc, lang)
    years = {n.start: n for n in nums if n.kind == "year" or (
        n.value == int(n.value) and 1900 <= n.value <= 2100 and len(norms[n.start]) == 4)}
    fillers = _folded("date_fillers", lang)
    dates: List[_Date] = []
    used: set = set()
    for i in range(len(norms)):
        month = _month_at(norms, i, lang)
        if month is None:
            continue
        day, year, start, end = None, None, i, i + 1
        k = i - 1
        while k >= 0 and norms[k] in fillers and i - k <= 2:
            k -= 1
        m = _ORDINAL_RE.match(norms[k]) if k >= 0 else None
        if m and 1 <= int(m.group(1)) <= 31 and k not in years:
            day, start = int(m.group(1)), k  # 5 January, 5 de enero
        k = i + 1
        while k < len(norms) and k - i <= 4:
            m = _ORDINAL_RE.match(norms[k])
            if k in years:
                year, end = int(years[k].value), years[k].end
                break
            if m and day is None and 1 <= int(m.group(1)) <= 31:
                day, end = int(m.group(1)), k + 1  # January 5th
            elif norms[k] not in fillers:
                break
            k += 1
        used.update(range(start, end))
        dates.append(_Date(year, month, day, start, end))
    for start, n in years.items():
        if (loose or n.kind == "year") and start not in used:
            dates.append(_Date(int(n.value), None, None, n.start, n.end))
    return sorted(dates, key=lambda d: d.start)


def _zh_dates(doc: Doc) -> List[_Date]:
    texts = [tok.text for tok in doc]
    nums = _zh_numbers(doc)
    by_start = {n.start: n for n in nums}
    dates: List[_Date] = []
    for n in nums:
        if n.kind == "year":
            date_ = _Date(int(n.value), None, None, n.start, n.end + 1)
        elif n.kind == "month" and not (dates and dates[-1].end == n.start and dates[-1].month is None
                                        and dates[-1].year is not None):
            date_ = _Date(None, int(n.value), None, n.start, n.end + 1)
        elif n.kind == "month":
            date_ = dates.pop()._replace(month=int(n.value), end=n.end + 1)  # 2015年3月
        else:
            continue
        k = date_.end + (1 if date_.end < len(texts) and texts[date_.end] == "份" else 0)
        day = by_start.get(k)
        if date_.month and day and day.end < len(texts) and texts[day.end] in ZH_DAY_MARKERS \
                and 1 <= day.value <= 31:
            date_ = date_._replace(day=int(day.value), end=day.end + 1)
        dates.append(date_)
    return dates


def _numeric_dates(t: _Text, doc: Doc) -> List[_Date]:
    """2015-03-04, 2015/3/4, 04/03/2015 (day and month kept only when the order is clear)."""
    dates = []
    for regex, order in _NUMERIC_DATE_RES:
        for m in regex.finditer(t.folded):
            a, b, c = (int(g) for g in m.groups())
            if order == "ymd":
                year, month, day = a, b, c
            else:
                year = c
                month, day = (b, a) if a > 12 >= b else (a, b) if b > 12 >= a else (None, None)
            if month is not None and not (1 <= month <= 12 and 1 <= day <= 31):  # type: ignore[operator]
                continue
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None:
                dates.append(_Date(year, month, day, span.start, span.end))
    return dates


def _dates(t: _Text, doc: Doc, lang: str, loose: bool = False) -> List[_Date]:
    found = _zh_dates(doc) if lang == "zh" else _latin_dates(doc, lang, loose)
    numeric = _numeric_dates(t, doc)
    found = [d for d in found if not any(n.start <= d.start < n.end for n in numeric)]
    return sorted(found + numeric, key=lambda d: d.start)


def _year_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    return [_Hit(d.year, *_span_offsets(t, doc, d.start, d.end)) for d in _dates(t, doc, lang)
            if d.year is not None]


def parse_year(text: str, lang: str | None = None) -> int | None:
    """The first calendar year in the text: "in 2019", "in twenty nineteen", "en dos mil
    diecinueve", "二零一九年确诊", "May 2020". A bare "2019" with nothing around it is not one."""
    _, hits = _run(text, lang, _year_hits)
    return int(min(hits, key=lambda h: h.start).value) if hits else None  # type: ignore[arg-type]


def _span_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    named = [d for d in _dates(t, doc, lang) if d.month is not None]
    if len(named) < 2:
        return []
    a, b = named[0], named[1]
    year_a, year_b = a.year or b.year, b.year or a.year
    months = (b.month or 0) - (a.month or 0) + 12 * ((year_b or 0) - (year_a or 0))
    if months < 0 and (a.year is None or b.year is None):
        months += 12  # "November to February": the next year
    if months < 0:
        return []
    return [_Hit(float(months), *_span_offsets(t, doc, a.start, b.end))]


def parse_month_span(text: str, lang: str | None = None) -> float | None:
    """Whole months between the first two months named: "infused in January, found gone in May"
    = 4, "de noviembre a febrero" = 3 (the next year), "2025年1月回输，2026年3月失效" = 14. Days
    are ignored; None with fewer than two month names. For the CAR-T question only: an age
    question must not read it (``extract_entities`` gives it as ``month_span_months``)."""
    _, hits = _run(text, lang, _span_hits)
    return float(min(hits, key=lambda h: h.start).value) if hits else None  # type: ignore[arg-type]


class AgeRange(NamedTuple):
    """An age worked out from a date of birth, in years (whole months / 12): at least ``low``,
    at most ``high``. They are equal for a full date; a year alone spans a year, so a limit
    (1, 10, 18, 40) between them means the assistant must ask."""
    low: float
    high: float


def _completed_months(born: date, today: date) -> int:
    return (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)


def _age_range(d: _Date, today: date) -> AgeRange | None:
    if d.year is None or d.year < 1900:
        return None
    month_first, month_last = (d.month, d.month) if d.month else (1, 12)
    last_day = calendar.monthrange(d.year, month_last)[1]
    try:
        earliest = date(d.year, month_first, d.day or 1)
        latest = min(date(d.year, month_last, d.day or last_day), today)
    except ValueError:
        return None  # 31 February
    if earliest > today:
        return None
    return AgeRange(round(_completed_months(latest, today) / 12, 4),
                    round(_completed_months(earliest, today) / 12, 4))


def _birth_cue_offsets(t: _Text, doc: Doc, lang: str) -> List[int]:
    if lang == "zh":
        return [m.start() for cue in BIRTH_CUES["zh"] for m in re.finditer(re.escape(cue), t.folded)]
    cues = _folded("birth", lang)
    return [tok.idx for tok in doc if tok.norm_ in cues]


def _birth_hits(t: _Text, doc: Doc, lang: str, today: date) -> List[_Hit]:
    cues = _birth_cue_offsets(t, doc, lang)
    dates = [d for d in _dates(t, doc, lang, loose=True) if d.year is not None] if cues else []
    if not dates:
        return []
    nearest = min(dates, key=lambda d: min(abs(doc[d.start].idx - c) for c in cues))
    ages = _age_range(nearest, today)
    return [_Hit(ages, *_span_offsets(t, doc, nearest.start, nearest.end))] if ages else []


def parse_birth_age(text: str, lang: str | None = None, today: date | None = None
                    ) -> AgeRange | None:
    """The age from a date of birth ("born in 2001", "nació el 4 de marzo de 2015", "2015年3月
    出生", "DOB 2015-03-04"), as of ``today`` (default: the real today). A year alone gives a
    one-year range; a year and month a one-month range. None without a birth word or a year."""
    _, hits = _run(text, lang, partial(_birth_hits, today=today or date.today()))
    return min(hits, key=lambda h: h.start).value if hits else None  # type: ignore[return-value]


# ================================================================================================
# Who is answering
# ================================================================================================

_SELF_POSSESSIVES = {"en": {"my", "our", "mine"}, "es": {"mi", "mis", "nuestro", "nuestra",
                                                         "nuestros", "nuestras"}}
_OTHER_POSSESSIVES = {"en": {"his", "her", "their", "'s", "s"}, "es": {"su", "sus"}}
_SELF_ID = {"en": ("i", "am"), "es": ("soy",), "zh": ("我", "是")}


def _possessor(doc: Doc, start: int, lang: str) -> str:
    """"self" for my/mi/我, "third" for his/her/su/他的/孩子的, else ""."""
    prev = [doc[i].norm_ for i in range(max(start - 3, 0), start)]
    if lang == "zh":
        tail = "".join(prev)
        if tail.endswith(("我", "我的", "我家", "我们", "我们的", "我家的")):
            return "self"
        if tail.endswith(("他", "她", "的")):
            return "third"
        return ""
    last = prev[-1] if prev else ""
    if last in _SELF_POSSESSIVES[lang]:
        return "self"
    if last in _OTHER_POSSESSIVES[lang]:
        return "third"
    return ""


def _self_identified(doc: Doc, start: int, lang: str) -> bool:
    """Whether the match follows "I am" / "soy" / "我是" in the same clause."""
    norms = [doc[i].norm_ for i in range(max(start - 6, 0), start)]
    for i in range(len(norms) - 1, -1, -1):
        if norms[i] in _CLAUSE_PUNCT:
            norms = norms[i + 1:]
            break
    joined = " ".join(norms)
    if lang == "zh":
        return "我 是" in joined
    if lang == "en":
        return "i am" in joined
    return "soy" in norms


def _respondent_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    hits = []
    spans = _phrase_spans(doc, "respondent", lang)
    relation_starts = {s for value, _k, s, _e in spans if value in ("parent", "legal", "other")}
    for value, _kind, s, e in spans:
        nxt = doc[e].norm_ if e < len(doc) else ""
        possessed_next = nxt in ("'s", "s", "的") if lang != "es" else False
        owner = _possessor(doc, s, lang)
        if value == "patient":
            if possessed_next or e in relation_starts or any(
                    e == cs for v, _k, cs, _e in spans if v in ("child", "child_weak")):
                continue  # "I'm the patient's mother", "para mi hijo" (folded from "para mí")
            category = "patient"
        elif value == "legal":
            category = "guardian"
        elif value == "parent":
            category = "other" if owner == "self" else "guardian"
        elif value in ("child", "child_weak"):
            if possessed_next or e in relation_starts:
                continue  # "the child's father", "孩子奶奶": the relation comes next
            if value == "child_weak" and owner != "self":
                continue
            category = "other" if owner == "third" else "guardian"
        elif value == "ignore":
            continue
        else:
            category = "other"
        # "I'm her son" identifies the speaker; "I'm asking for my son" does not.
        speaker = value != "child" or category == "other"
        kind = "legal" if value == "legal" else (
            "self" if value == "patient" or (speaker and _self_identified(doc, s, lang)) else "")
        hits.append(_Hit(category, *_span_offsets(t, doc, s, e), kind))
    return hits


def _respondent(text: str, lang: str | None) -> _Hit | None:
    _, hits = _run(text, lang, _respondent_hits)
    hits = _longest_first(hits)
    for kind in ("legal", "self"):
        chosen = [h for h in hits if h.kind == kind]
        if chosen:
            return chosen[0]
    return hits[0] if hits else None


def parse_respondent(text: str, lang: str | None = None) -> str | None:
    """patient / guardian / other, or None.

    "my son" / "我儿子" / "mi hijo" -> guardian (a parent answering for a child); "my mother"
    -> other (the patient is the speaker's parent); "I'm his mum" -> guardian. Anyone who
    calls themselves a (legal) guardian or tutor is a guardian even if they are also a
    grandparent or aunt: a grandparent who is the legal guardian should say "guardian".
    Otherwise what follows "I am" / "soy" / "我是" decides, then the first relation mentioned.
    """
    hit = _respondent(text, lang)
    return hit.value if hit else None  # type: ignore[return-value]


# ================================================================================================
# Sex
# ================================================================================================

_SEX_STRENGTH = {"pronoun": 1, "noun": 2, "explicit": 3}


def _sex_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    hits = []
    for label, _kind, s, e in _phrase_spans(doc, "sex", lang):
        value, _, strength = label.partition("|")
        if value == "ignore":
            continue
        hits.append(_Hit(value, *_span_offsets(t, doc, s, e), strength))
    return hits


def _sex(text: str, lang: str | None) -> _Hit | None:
    _, hits = _run(text, lang, _sex_hits)
    hits = _longest_first(hits)
    if not hits:
        return None
    best = max(_SEX_STRENGTH.get(h.kind, 0) for h in hits)
    top = [h for h in hits if _SEX_STRENGTH.get(h.kind, 0) == best]
    if len({h.value for h in top}) != 1:
        return None
    return top[0]


def parse_sex(text: str, lang: str | None = None) -> str | None:
    """female / male / other, or None.

    Words for a person ("girl", "儿子", "niña") outrank pronouns ("she", "他"); conflicting
    answers at the same level give None. Bare "other"/"otro"/"f"/"m" count only as the whole
    message, so "any other cancer?" is not a sex.
    """
    hit = _sex(text, lang)
    return hit.value if hit else None  # type: ignore[return-value]


# ================================================================================================
# ECOG
# ================================================================================================


def _ecog_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    hits = []
    digits = ECOG_DIGIT_WORDS[lang]
    for match_id, s, e in _structure_matcher(lang)(doc):
        if doc.vocab.strings[match_id] != "ECOG":
            continue
        level = None
        for tok in doc[s:e]:
            if tok.norm_ in digits:
                level = digits[tok.norm_]
            elif tok.norm_[-1:].isdigit() and tok.norm_[-1] in "01234" and len(tok.norm_) > 1:
                level = int(tok.norm_[-1])
        if level is not None:
            hits.append(_Hit(level, *_span_offsets(t, doc, s, e), "explicit"))
    for value, _kind, s, e in _phrase_spans(doc, "ecog", lang):
        hits.append(_Hit(int(value), *_span_offsets(t, doc, s, e), "phrase"))
    return hits


def _ecog(text: str, lang: str | None) -> _Hit | None:
    _, hits = _run(text, lang, _ecog_hits)
    explicit = [h for h in hits if h.kind == "explicit"]
    if explicit:
        return sorted(explicit, key=lambda h: h.start)[0]
    kept = _longest_first(hits)
    if not kept:
        return None
    return max(kept, key=lambda h: (h.value, -h.start))


def parse_ecog(text: str, lang: str | None = None) -> int | None:
    """ECOG 0-4 from a plain activity description, or from "level 2" / "ECOG 2" / "2级".

    A bare digit is not enough. If the text describes several levels the worst one wins.
    """
    hit = _ecog(text, lang)
    return int(hit.value) if hit else None  # type: ignore[call-overload]


# ================================================================================================
# Language switch
# ================================================================================================


def _language_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    names = _phrase_spans(doc, "language", lang)
    if not names:
        return []
    # 1. An explicit request anywhere: "can you please speak Spanish", "请用英文".
    for match_id, s, e in _structure_matcher(lang)(doc):
        if doc.vocab.strings[match_id] != "LANGREQ":
            continue
        for code, _kind, ns, ne in names:
            if s <= ns and ne <= e:
                return [_Hit(code, *_span_offsets(t, doc, s, e), "explicit")]
    # 2. A short message made of a language name and polite filler only: "中文", "English please".
    codes = {code for code, *_ in names}
    inside = {i for _, _, s, e in names for i in range(s, e)}
    rest = [doc[i].norm_ for i in _content_tokens(doc) if i not in inside]
    fillers = LANGUAGE_FILLERS[lang]
    if len(codes) == 1 and len(rest) <= 8 and all(w in fillers for w in rest):
        code, _kind, s, e = names[0]
        return [_Hit(code, *_span_offsets(t, doc, s, e), "short")]
    return []


def _language(text: str) -> _Hit | None:
    t = _prepare(_as_text(text))
    if not t.folded:
        return None
    hits: List[_Hit] = []
    for code in (["zh"] if t.has_cjk else []) + ["en", "es"]:
        hits.extend(_language_hits(t, _doc(t.folded, code), code))
    explicit = [h for h in hits if h.kind == "explicit"]
    chosen = explicit or hits
    if not chosen or len({h.value for h in chosen}) != 1:
        return None
    return chosen[0]


def parse_language_request(text: str) -> str | None:
    """en / zh / es when the message asks for a language, else None.

    A request is either explicit ("please speak Spanish", "请用英文", "habla español", "en
    español por favor"), or a short message that is only a language name plus polite words
    ("中文", "English please"). "My son speaks Spanish" is not a request ("speaks" is not a
    request verb and "my son" is not filler).
    """
    hit = _language(text)
    return hit.value if hit else None  # type: ignore[return-value]


# ================================================================================================
# Emergencies
# ================================================================================================


def _same_sentence(doc: Doc, a: int, b: int) -> bool:
    lo, hi = min(a, b), max(a, b)
    return not any(doc[i].text in _SENTENCE_PUNCT for i in range(lo, hi))


_DEGREES = frozenset({"°", "degrees", "degree", "deg", "c", "f", "度", "grados", "ºc", "ºf", "de"})
_BLOOD = frozenset({"bleeding", "blood", "bleed", "bleeds", "sangre", "sangrando", "sangrado", "sangra",
                    "sangrar", "血"})


def _temperature_near(doc: Doc, n: _Num, start: int, end: int) -> bool:
    """A reading right after the fever word ("fever of 39.5", "发烧39度"), or just before it
    with a degree sign ("39 degrees fever", "39度高烧"); not "he is 40 and had a fever"."""
    if not _same_sentence(doc, n.start, start):
        return False
    if n.start >= end:
        return n.start - end <= 3
    after = {doc[i].norm_ for i in range(n.end, min(n.end + 2, len(doc)))}
    return start - n.end <= 2 and bool(after & _DEGREES)


def _emergency_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    found = _phrase_spans(doc, "emergency", lang)
    definitions = [s for kind, _k, s, _e in found if kind == "definition"]
    hits = []
    for kind, _k, s, e in found:
        if kind not in ("strong", "term", "fever", "bleeding_stop"):
            continue
        if kind == "bleeding_stop" and not any(
                tok.norm_ in _BLOOD and _same_sentence(doc, tok.i, s) for tok in doc):
            continue
        if _negated_before(doc, s, lang):
            continue  # "no chest pain", "I don't have a high fever", "没有发高烧"
        if kind == "term" and any(_same_sentence(doc, d, s) for d in definitions):
            continue  # "what is a high fever?"
        if kind == "fever":
            if any(_same_sentence(doc, d, s) for d in definitions):
                continue
            temps = [n.value for n in _numbers(doc, lang) if _temperature_near(doc, n, s, e)]
            if not any(FEVER_CELSIUS[0] <= v <= FEVER_CELSIUS[1]
                       or FEVER_FAHRENHEIT[0] <= v <= FEVER_FAHRENHEIT[1] for v in temps):
                continue
        hits.append(_Hit(True, *_span_offsets(t, doc, s, e), kind))
    return hits


def _emergency_all(text: str) -> List[_Hit]:
    """Every emergency phrase in the text, in all three languages."""
    t = _prepare(_as_text(text))
    if not t.folded:
        return []
    hits: List[_Hit] = []
    for code in (["zh"] if t.has_cjk else []) + ["en", "es"]:
        hits.extend(_emergency_hits(t, _doc(t.folded, code), code))
    return hits


def _emergency(text: str) -> _Hit | None:
    hits = _emergency_all(text)
    return hits[0] if hits else None


def detect_emergency(text: str) -> bool:
    """Whether the message describes an emergency, in any of the three languages.

    Safety first: every language's table is checked whatever the conversation language, and
    clear phrases ("can't breathe", "won't wake up", "kill myself", "不想活了", "no respira")
    always fire. Two heuristics keep ordinary screening answers from firing:

    * a negation just before the phrase in the same clause ("no chest pain", "I don't have a
      high fever", "没有发高烧", "sin fiebre alta") suppresses it;
    * noun terms ("high fever", "seizure", "昏迷", "fiebre alta") are ignored inside a definition
      question in the same sentence ("what is a high fever?", "什么是高烧", "¿qué es fiebre
      alta?"); "what should I do, he has a high fever" still fires.

    A fever word next to a temperature of 39-45 °C (or 102.2-113 °F) fires too ("fever of 39.5",
    "发烧39度", "40 de fiebre"), and so does "won't stop" / "止不住" / "no para" with a blood word in
    the same sentence. A bare "fever" or "no" never fires. Only the first ``MAX_CHARS``
    characters are read, like every other function here.
    """
    return _emergency(text) is not None


# ================================================================================================
# Topic
# ================================================================================================


def _topic_hits(t: _Text, doc: Doc, lang: str) -> List[_Hit]:
    return [_Hit(slot, *_span_offsets(t, doc, s, e))
            for slot, _kind, s, e in _phrase_spans(doc, "topics", lang)]


def _topic(text: str, lang: str | None) -> _Hit | None:
    _, hits = _run(text, lang, _topic_hits)
    kept = _longest_first(hits)
    return kept[0] if kept else None


def parse_topic(text: str, lang: str | None = None) -> str | None:
    """The data-dictionary slot a message is about ("change my age answer" -> patient_age).

    The longest keyword wins ("relapse since" over "relapse"), then the first in the text.
    """
    hit = _topic(text, lang)
    return hit.value if hit else None  # type: ignore[return-value]


# ================================================================================================
# All entities at once (for the NLU component)
# ================================================================================================


_FLOAT_ENTITIES = frozenset({"duration_months", "number", "nominal_age_years", "month_span_months",
                             "age_years_low", "age_years_high"})


def _number_extras(text: str, lang: str | None, duration: _Hit | None
                   ) -> List[Tuple[str, _Hit | None]]:
    """The entities that qualify a number: a nominal age, a month span, an age from a birth date."""
    nominal = None
    if duration is not None and duration.kind == "nominal":
        nominal = duration._replace(value=(float(duration.value) + 12) / 12)  # type: ignore[arg-type]
    _, spans = _run(text, lang, _span_hits)
    span = min(spans, key=lambda h: h.start) if spans else None
    _, births = _run(text, lang, partial(_birth_hits, today=date.today()))
    birth = min(births, key=lambda h: h.start) if births else None
    return [
        ("nominal_age_years", nominal),
        ("month_span_months", span),
        ("age_years_low", birth._replace(value=birth.value.low) if birth else None),  # type: ignore[union-attr]
        ("age_years_high", birth._replace(value=birth.value.high) if birth else None),  # type: ignore[union-attr]
    ]


def extract_entities(text: str, lang: str | None = None) -> List[Dict[str, object]]:
    """Every answer found in ``text`` as entity dicts (entity, value, start, end) per the NLU
    contract, in a fixed order. ``lang`` is a preference (see the module docstring)."""
    text = _as_text(text)
    duration = _duration(text, lang)
    found: List[Tuple[str, _Hit | None]] = [
        ("tri", _tri(text, lang)),
        ("duration_months", duration),
        ("number", _number(text, lang)),
        *_number_extras(text, lang, duration),
        ("respondent_kind", _respondent(text, lang)),
        ("sex_value", _sex(text, lang)),
        ("ecog_level", _ecog(text, lang)),
        ("lang", _language(text)),
        ("topic", _topic(text, lang)),
    ]
    out: List[Dict[str, object]] = []
    for name, hit in found:
        if hit is None or hit.value is None:
            continue
        value = hit.value
        if name in _FLOAT_ENTITIES:
            value = float(value)  # type: ignore[arg-type]
        elif name == "ecog_level":
            value = int(value)  # type: ignore[call-overload]
        start, end = (hit.start, hit.end) if hit.end > hit.start else (0, len(text))
        out.append({"entity": name, "value": value, "start": start, "end": end})
    return out


_TABLES: Dict[str, Dict[str, Dict[object, List[str]]]] = {
    "tri": TRI,  # type: ignore[dict-item]
    "units": {lang: {str(v): [k for k, m in table.items() if m == v] for v in set(table.values())}
              for lang, table in UNITS.items()},
    "respondent": RESPONDENT,  # type: ignore[dict-item]
    "sex": SEX,  # type: ignore[dict-item]
    "ecog": ECOG,  # type: ignore[dict-item]
    "language": LANGUAGE_NAMES,  # type: ignore[dict-item]
    "emergency": EMERGENCY,  # type: ignore[dict-item]
    "topics": TOPICS,  # type: ignore[dict-item]
}
