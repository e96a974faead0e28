"""Task classification from prompt text: which kind of work a request asks for.

`classify_task(prompt_or_messages)` returns a `TaskClassification`: one of seven task
types, a confidence in 0..1, the evidence score of every task and a few short signals
that explain the decision. It is deterministic, pure Python (`re` only), makes no
network call and loads no model: a routing decision must not wait on it.

Method (weighted lexical and structural evidence, general rather than fitted):

* **Where the instruction is.** A prompt is usually an instruction around pasted
  material ("Summarize this: <article>", "<stack trace> what does this mean?"). The
  first paragraph and a short last paragraph (or, for one long block, the first and
  last few words) are the *instruction*; cue words count fully there and at
  `BODY_WEIGHT` elsewhere, so an article about deployments that is to be summarized does
  not look like a coding request. Each cue counts once per region.
* **Cue lexicon** (`_LEXICON`): words and two-word phrases with a weight per task,
  matched after a small suffix-stripping stemmer (summarized/summarizing -> summariz),
  including common Spanish, French and German cue words.
* **Structure** (`_structure`): code fences, stack traces, code syntax (definitions,
  operators, statement ends), file names, LaTeX and math symbols, equations, word
  problems (several numbers + "how many/how much/..."), JSON-like field lists, greetings,
  long pasted prose.
* **Messages**: the last user message decides; system and earlier messages add their
  evidence at `CONTEXT_WEIGHT`.
* **General chat** is the fallback: it starts from a base score, so a prompt with little
  evidence for anything else is general chat, with low confidence.
* **Confidence**: a softmax over the scores (temperature `TEMPERATURE`), damped when the
  total evidence is small; see the README for its calibration on the labeled set.

The scan is capped (`MAX_SCAN` characters: head and tail of longer prompts), all regexes
are compiled at import, and the lexicon is one dict lookup per word; p95 is well under
1 ms on a 2,000-character prompt (`bench/bench_classifier.py`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final, Literal, get_args

TaskType = Literal[
    "coding",
    "math",
    "reasoning",
    "creative_writing",
    "summarization",
    "extraction",
    "general_chat",
]
RankingCategory = Literal["coding", "math", "reasoning", "chat", "general"]

TASKS: Final[tuple[TaskType, ...]] = get_args(TaskType)
_INDEX: Final[dict[str, int]] = {task: i for i, task in enumerate(TASKS)}
_C, _M, _R, _W, _S, _E, _G = range(7)

MAX_SCAN: Final = 6000  # characters scanned: the head and tail of longer prompts
_HEAD: Final = 4000
_TAIL: Final = 2000
BODY_WEIGHT: Final = 0.2  # cue words in pasted material, outside the instruction
CONTEXT_WEIGHT: Final = 0.35
TOPIC_WEIGHT: Final = 0.6  # words after "about" in the instruction
LEAD_WEIGHT: Final = (
    1.5  # the first strong cue among the instruction's first words  # system and earlier messages
)
GENERAL_BASE: Final = 1.6  # general chat's score before any evidence
TEMPERATURE: Final = 1.6
_INSTRUCTION_WORDS: Final = 40  # first/last words of one long block taken as the instruction
_MAX_CONTEXT_CHARS: Final = 2000


@dataclass(frozen=True, slots=True)
class TaskClassification:
    """The task a prompt asks for.

    `scores` are the raw evidence scores per task (not probabilities; general chat starts
    at `GENERAL_BASE`); `confidence` is the calibrated probability that `task` is right;
    `signals` are short reasons (cue words, structures) for the decision."""

    task: TaskType
    confidence: float
    scores: Mapping[str, float] = field(hash=False)
    signals: tuple[str, ...] = ()

    @property
    def ranking_category(self) -> RankingCategory:
        return ranking_category(self.task)


# Open-ended writing and conversation are judged by people: the chat category (human
# preference, LMArena). Summaries and extraction follow instructions on a given text: the
# general category (LiveBench's language and instruction-following tasks).
_RANKING: Final[dict[str, RankingCategory]] = {
    "coding": "coding",
    "math": "math",
    "reasoning": "reasoning",
    "creative_writing": "chat",
    "summarization": "general",
    "extraction": "general",
    "general_chat": "chat",
}


def ranking_category(task: str) -> RankingCategory:
    """The ranking category (`rank_models(category => ...)`) that serves a task type."""
    try:
        return _RANKING[task]
    except KeyError:
        raise ValueError(f"unknown task type {task!r}; expected one of {TASKS}") from None


# --------------------------------------------------------------------------- lexicon
# "cue:weight" per task; a cue with a space is a two-word phrase. Weights: 3 names the
# task outright ("summarize", "haiku"), 2 is a strong hint, 1 and below are hints that
# other tasks share.
_CUES: Final[dict[int, str]] = {
    _C: """
    code:2 coding:2 codebase:2 programming:2 program:1 programmer:2 developer:1.5
    function:1.5 method:1 class:0.8 variable:1.5 array:1.5 string:1 boolean:2 loop:1.2
    bug:2 debug:2.5 debugging:2.5 compile:2.5 compiler:2.5 exception:2 traceback:3
    segfault:3 stacktrace:3 error:0.8 crash:1 crashes:1 fails:0.5 syntax:2 refactor:3
    implement:2 implementation:1.5 script:1.2 regex:3 regexp:3 recursion:1.5 recursive:1
    algorithm:1.5 runtime:1.5 async:2 await:2 thread:1 threads:1 pointer:2 null:1.5
    undefined:1.5 api:1.5 endpoint:2 endpoints:2 http:1 json:1 yaml:2 csv:0.8 sql:2.5
    query:1.2 database:1.2 index:0.5 schema:0.8 postgres:2 postgresql:2 mysql:2.5
    sqlite:2.5 mongodb:2.5 redis:2 python:2.5 javascript:3 typescript:3 java:2.5 rust:2
    golang:3 kotlin:3 swift:1 ruby:1.2 php:3 scala:2 haskell:2.5 perl:2 bash:2.5 shell:1.2
    powershell:3 matlab:1.5 numpy:2.5 pandas:2.5 dataframe:2.5 react:2 vue:2 angular:2
    django:3 flask:2 fastapi:3 spring:0.8 node:1 nodejs:3 npm:3 pip:2 webpack:3 vite:2
    css:2.5 html:2.5 frontend:2 backend:2 server:1 localhost:3 cors:3 nginx:3 docker:3
    dockerfile:3 kubernetes:3 kubectl:3 container:1 deploy:1.5 deployment:1 git:3
    github:2 gitlab:2 commit:1.5 merge:1 rebase:3 repository:1.5 repo:2 diff:1.5 ci:1.5
    pytest:3 unittest:3 jest:3 test:0.7 tests:0.8 lint:2 linux:1.5 terminal:1.5 cli:2
    library:0.6 framework:1 package:0.6 dependency:1.5 dependencies:1.5 install:0.8
    config:1.5 configuration:1 aws:2 lambda:1.5 terraform:3 oauth:2.5 jwt:3 webhook:2.5
    microservice:2 microservices:2 monolith:1.2 unity:1 godot:2 sdk:2 ide:2 vscode:3
    vim:2 struct:2.5 enum:2 interface:1 typescript:3 generic:0.5 lifetime:0.5 borrow:1
    awk:3 sed:1.5 grep:3 curl:2 decode:1.2 encode:1 validate:0.8 data_class:2.5
    memoization:2.5 complexity:0.8 optimize:0.8 performance:0.5 leak:1 parse:0.5
    codigo:2.5 código:2.5 función:1.5 fonction:1.5 funktion:1 programa:1 tabla:0.3
    this_code:3 my_code:3 the_code:2 stack_trace:3 pull_request:2 unit_test:3
    unit_tests:3 error_message:1.5 time_complexity:2.5 data_structure:2 linked_list:3
    binary_search:2.5 hash_map:3 command_line:2 big_o:2.5 web_app:1.5 source_code:3
    memory_leak:1.5 type_error:2 null_pointer:3 github_actions:3 in_python:3
    in_javascript:3 in_java:3 in_rust:3 in_go:2 in_c:2 in_sql:3 in_haskell:3
    """,
    _M: """
    math:2.5 maths:2.5 mathematics:2 solve:2 equation:3 equations:3 integral:3
    integrate:2.5 derivative:3 differentiate:3 calculus:3 limit:1 matrix:2 matrices:2
    eigenvalue:3 eigenvalues:3 eigenvector:3 determinant:3 vector:1 algebra:3
    geometry:3 triangle:2 circle:1.5 radius:2.5 diameter:2.5 area:1 volume:1
    perimeter:3 angle:1.5 hypotenuse:3 polynomial:3 factor:1.5 factorize:3 quadratic:3
    prime:1.5 primes:1.5 divisor:2.5 divisible:2.5 gcd:3 lcm:3 modulo:2.5 mod:1.2
    fraction:2.5 fractions:2.5 decimal:1.5 percent:1.5 percentage:2 probability:2.5
    odds:1 variance:2 deviation:2 mean:0.5 median:2 average:1 statistics:1.5 theorem:2.5
    lemma:3 prove:2 proof:1.5 converge:3 converges:3 convergent:3 series:1.2
    sequence:0.8 sum:1 product:0.5 compute:1 calculate:2 calculation:1.5 evaluate:0.8
    simplify:2 expand:1 sqrt:3 logarithm:3 log:0.5 ln:2 sin:2 cos:2.5 tan:2 exponent:2
    exponential:1.5 arithmetic:2.5 combinatorics:3 permutation:3 permutations:3
    combinations:1.5 arrange:1 arrangements:2 integer:1.5 integers:2 irrational:3
    rational:1 real_numbers:2 complex_numbers:2.5 compounded:3 interest:1 mph:2 km:0.8
    dice:1.5 cyclic:2 group:0.3 slope:1.5 intercept:2.5 inequality:2.5 cylinder:2.5
    cone:2 sphere:2 cube:1 graph:0.4 digits:1 remainder:2.5 ratio:1.5 proportion:1.5
    infinity:1.5 infinite:1 differential:2.5 vectors:1 cubed:2.5 squared:2.5 plus:1
    minus:1.5 times:0.3 divided:2 multiply:2 multiplied:2 fraccion:2 derivada:3
    ecuación:3 ecuacion:3 calcula:2 resuelve:2 integral_de:2 berechne:2.5 gleichung:3
    fläche:1.5 flache:1 calculer:2 calcule:2 équation:3 dérivée:3 résous:2 resous:2
    how_many:1 how_much:1 how_old:2 how_far:1.5 per_hour:1.5 show_that:2 prove_that:3
    solve_for:3 find_the:0.8 what_is:0.2 word_problem:3 lowest_terms:3
    solution:1 solutions:1.5 percent_of:2 standard_deviation:3 expected_value:2.5
    at_least:0.5 sum_of:1.5
    """,
    _R: """
    definitely:1 necessarily:1.5 wrong:0.6 smarter:0.8 consider:0.8 than:0.4
    next_to:0.8 left_of:1 right_of:1 folgt:1.5 daraus:1 alle:0.3 donc:0.5
    puzzle:3 puzzles:3 riddle:3 riddles:3 brainteaser:3 logic:2.5 logical:2.5
    logically:2.5 paradox:2.5 fallacy:3 fallacies:3 syllogism:3 valid:1.5 invalid:1.5
    deduce:2.5 deduction:2.5 infer:2 inference:1.5 implies:1.5 imply:1.5 follows:1.5
    therefore:1 conclude:1 conclusion:1.2 argument:1.5 arguments:1 argue:1.5 why:1.2
    reason:1.5 reasoning:2 reasons:1 rationale:2 tradeoff:2.5 tradeoffs:2.5 trade:0.6
    pros:1.5 cons:1.5 versus:1 vs:1 compare:1.2 comparison:1.2 decide:1.5 decision:1.5
    should:0.6 dilemma:2.5 strategy:1 consequences:1.5 implications:2 effects:1
    weigh:2 justify:2 hypothesis:1.5 hypotheses:2 causal:2.5 cause:1 causes:1.2
    caused:1.5 causation:3 correlation:2 plausible:2 likely:0.8 likelihood:1
    scenario:1 scenarios:1 ethical:2 ethics:2 moral:1 lies:1.5 liar:3 truth:1
    counterfactual:3 assumptions:1.5 assumption:1.5 contradiction:1 possible:0.8
    evidence:1 explain:0.4 analyze:1.5 analyse:1.5 analysis:1 recommend:0.3 option:0.6
    options:0.8 choose:1 better:0.6 best:0.3 worse:0.8 risk:0.8 risks:1 if:0.3 all:0.2
    some:0.2 only:0.2 every:0.3 none:0.5 either:0.5 neither:1 each:0.2 not:0.2
    who:0.3 which:0.3 must:0.4 true:0.8 false:0.8 razonamiento:2 lógica:2.5 acertijo:3
    begründe:2.5 begrunde:2.5 warum:1.2 pourquoi:1.2 por_qué:1 énigme:3
    step_by_step:2.5 think_through:2.5 think_carefully:2 walk_me:1 pros_and:2 and_cons:2
    trade_offs:3 which_is:1 is_better:1.5 what_would:1.5 would_happen:2 what_if:2
    is_it:0.4 how_is:0.5 that_possible:2 second_order:2.5 both_sides:2.5 does_it:0.5
    it_follow:2.5 follow_that:2.5 is_this:0.3 this_argument:2.5 is_valid:2.5
    explain_why:1.5 reason_about:2.5 help_me:0.3 think_about:0.8 figure_out:1
    makes_sense:0.5 the_best:0.3 long_term:1 in_the_long:1 think_this:2 what_follows:2.5
    thought_experiment:3 game_theory:2.5
    """,
    _W: """
    poem:3.5 poems:3.5 poetry:3.5 poetic:3 haiku:4 sonnet:4 limerick:4 verse:3 verses:3
    stanza:4 stanzas:4 rhyme:3 rhymes:3 rhyming:3 lyrics:4 song:2.5 songs:2.5 rap:2.5
    ballad:4 ode:3 elegy:3.5 eulogy:3 story:2.5 stories:2.5 storyline:3 tale:3 fable:4
    fairy:2 novel:2.5 chapter:1.2 scene:2.5 screenplay:4 dialogue:1.8 monologue:3
    character:1.5 characters:1.5 protagonist:3 villain:3 hero:1.5 heroine:2 plot:1.2
    twist:1.5 narrative:2 narrator:2.5 fiction:3 fictional:2.5 fantasy:2 sci:1 worldbuilding:4
    toast:2 speech:2 tweet:1.5 slogan:3 tagline:3 caption:2 jingle:3 creative:2
    imaginative:2.5 whimsical:3 funny:1 humorous:2 heartfelt:2.5 tone:1 vivid:2.5
    noir:3 romantic:1.5 dramatic:1 bedtime:3 imagine:1.5 invent:2 brainstorm:2 ideas:0.8
    write:1 compose:2.5
    continue:0.8 retell:3 rewrite:0.8 describe:0.6 names:0.8 name:0.3 mystery:1.5
    horror:2 adventure:1 dragon:1.5 wizard:2 kingdom:1.5 kingdoms:2 joke:1 jokes:1
    birthday:1 wedding:1 letter:1 message:0.3 voice:1 persona:1 metaphor:2 metaphors:2
    poema:3.5 cuento:3 historia:0.8 escribe:1 relato:3 poème:3.5 poeme:3.5 histoire:1
    conte:2.5 écris:1 ecris:1 gedicht:3.5 geschichte:1.5 schreibe:1 märchen:3
    write_a:1.2 write_me:1.5 write_an:1 short_story:3.5 bedtime_story:3
    once_upon:3 in_the:0 the_style:2 style_of:2 point_of:0.5 of_view:1 love_letter:3
    a_story:2.5 a_poem:3 a_song:3 a_scene:2.5 come_up:1 plot_twist:2 opening_line:3
    opening_chapter:3 product_description:3 wedding_toast:3 cover_letter:1
    """,
    _S: """
    summarize:4.5 summarise:4.5 summary:4 summaries:4 summarization:4 summed:2 tldr:5
    tl_dr:5 short:0.8
    recap:4 gist:4 nutshell:4 condense:4 shorten:3.5 shorter:2 brief:1.5 briefly:2
    overview:2.5 outline:1.5 synopsis:4 digest:2 abstract:1.5 takeaways:3.5 takeaway:3.5
    highlights:2.5 minutes:1 bullets:1.5 bullet:1.5 concise:2.5 concisely:2.5 essence:2
    lede:2 headline:1.5 shortened:3 reduce:0.8 resumen:4 resume:3 resúmelo:4 resumir:4
    résume:4 résumé:1.5 résumer:4 resumer:3 zusammenfassen:4 zusammenfassung:4 fasse:3
    riassumi:4 sintetiza:3 short_version:3.5 key_points:3.5 main_points:3.5
    main_ideas:3 key_takeaways:4 sum_up:4 boil_down:4 boil_this:3 in_brief:3
    one_sentence:1.5 two_sentences:1.5 few_sentences:1.5 one_line:1.5 one_paragraph:1
    what_is:0 is_about:1.5 this_about:1.5 main_argument:2 executive_summary:4
    meeting_minutes:3 write_minutes:3 the_highlights:2.5 under_words:2 chapter_by:2
    """,
    _E: """
    extract:4.5 extraction:4 extracted:4 extracting:4 pull:1.5 distinct:1 parse:2.5 parsing:2
    entities:3.5 entity:3 fields:2.5 field:1 schema:2 json:2 csv:2 table:1.5
    tabulate:3.5 tabular:2.5 structured:2.5 unstructured:1.5 mentioned:2.5 mentions:2
    mention:1 occurrences:1.5 emails:1.5 email_addresses:3.5 addresses:1 phone:1.5
    dates:1.5 names:1 urls:3 links:1.5 amounts:2 hashtags:2.5 tickers:2.5 numbers:0.8
    identify:1.2 list:0.5 listed:1.5 based_on:1.5 according_to:2 passage:1.5
    reference_text:2.5 return:0.8 key:0.8 value:0.3 format:0.8 records:1.5
    keys:1 grab:2 scan:1.5 find:0.8 locate:1.5 retrieve:1.5 detect:0.8 classify:1
    label:0.8 tag:1 fill:1.5 populate:2 convert:0.8 array:0.5 object:0.5 objects:1
    which:0.3 each:0.5 every:0.3 all:0.3 extrae:4.5 extraer:4.5 extrais:4.5 extraire:4.5
    extrahiere:4.5 extrahieren:4.5 auflisten:2
    pull_out:3.5 pick_out:3 list_all:3 list_every:3 list_the:1 find_all:2 find_every:2.5
    get_the:0.8 get_me:0.8 give_me:0.2 as_json:3.5 in_json:3 json_array:2 json_object:2
    json_only:3 as_csv:3.5 key_value:3 named_entities:4 from_this:1.2 from_the:0.8
    the_following:0.5 in_this:0.5 are_mentioned:3 is_mentioned:2.5 mentioned_in:3
    a_table:2 into_a:0.5 each_one:0.5 tracking_number:2 phone_number:2
    the_names:1 all_the:1 out_of:0.8 and_their:1.5
    """,
    _G: """
    hi:1.5 hello:1.5 hey:1.5 hiya:1.5 thanks:2 thank:2 cheers:1 bye:2 goodbye:2 lol:1.5
    please:0 recommend:1.2 recommendation:1.2 recommendations:1.2 suggest:1 suggestion:1
    tips:1.5 tip:1 advice:1.5 favorite:1.5 favourite:1.5 opinion:1 feel:0.8 feeling:1
    weather:1.5 recipe:0.5 travel:1 trip:1 visit:1 gift:1.5 hobby:1.5 movie:0.8 book:0.5
    books:0.8 podcast:1.5 music:0.8 safe:0.8 healthy:1 sleep:1 cook:1 food:1 pet:1
    dog:0.8 cat:0.5 translate:1.5 meaning:0.8 definition:1 who_was:1.5 who_is:1
    who_won:2 what_does:0.3 how_are:2 are_you:1.5 you_think:0.8 do_you:0.6 can_you:0.2
    good_morning:2 good_night:2 thank_you:2.5 how_do:0.3 how_to:0.3 what_time:1.5
    hola:1.5 bonjour:1.5 hallo:1.5 gracias:2 merci:2 danke:2 recomiendas:1.2 qué:0.2
    """,
}


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """A tiny suffix stripper so that summarize/summarized/summarizing meet; not a
    linguistic stemmer, only consistent between the lexicon and the text."""
    n = len(word)
    if n > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if n > 5 and word.endswith("ing"):
        word = word[:-3]
    elif n > 4 and word.endswith("ed"):
        word = word[:-2]
    elif n > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def _build_lexicon() -> tuple[
    dict[str, tuple[tuple[int, float], ...]], frozenset[str], frozenset[str], dict[str, str]
]:
    table: dict[str, dict[int, float]] = {}
    display: dict[str, str] = {}
    for task, spec in _CUES.items():
        for item in spec.split():
            cue, _, weight = item.rpartition(":")
            words = cue.split("_")
            assert len(words) <= 3, cue  # the matcher looks at words, pairs and triples
            key = " ".join(_stem(w) for w in words)
            display.setdefault(key, " ".join(words))
            per_task = table.setdefault(key, {})
            per_task[task] = max(per_task.get(task, 0.0), float(weight))
    lexicon = {
        key: tuple(sorted((t, w) for t, w in weights.items() if w > 0))
        for key, weights in table.items()
    }
    firsts = frozenset(key.split(" ")[0] for key in lexicon if " " in key)
    pairs = frozenset(" ".join(key.split(" ")[:2]) for key in lexicon if key.count(" ") == 2)
    return {k: v for k, v in lexicon.items() if v}, firsts, pairs, display


_LEXICON, _PHRASE_FIRSTS, _TRIPLE_FIRSTS, _DISPLAY = _build_lexicon()

# ----------------------------------------------------------------------- structures
# Regexes start with a literal or a small character class, so that `re` skips ahead
# quickly; the rest is `in` tests and a look at a few characters around each match.
_WORD = re.compile(r"[a-zà-öø-ÿœß]+(?:['’][a-z]+)?")  # on lowercased text
_PARAGRAPH = re.compile(r"\n\s*\n")
_TRACE_MARKS: Final = (
    "Traceback (most recent call last)",
    "Segmentation fault",
    "core dumped",
    "panicked at",
    "errno",
    "exit code",
    "undefined reference",
    "FATAL",
    '", line ',
    "Caused by:",
)
_EXCEPTION = re.compile(r"(?:Error|Exception)\b")
_JAVA_FRAME = re.compile(r"\n[ \t]+at [\w$.<>]+\(")
# Marks of source code; each distinct mark present counts once.
_CODE_MARKS: Final = (
    ";\n",
    "{\n",
    "}\n",
    "=>",
    "->",
    "::",
    "==",
    "!=",
    "&&",
    "||",
    "()",
    "+=",
    "</",
    "#include",
    "console.log",
    "println",
    "printf(",
    "self.",
    "this.",
    "const ",
    "var ",
    "\n    ",
    "\n\t",
)
# A line that starts like a definition, a statement or SQL, and has code punctuation.
_DEFINITION_STARTS: Final = (
    "def ",
    "async def ",
    "fn ",
    "pub fn ",
    "func ",
    "function ",
    "class ",
    "struct ",
    "impl ",
    "public ",
    "private ",
    "#include",
    "import ",
    "from ",
    "package ",
    "using ",
    "select ",
    "insert into",
    "update ",
    "delete from",
    "create table",
    "alter table",
    "let ",
    "const ",
    "@@ ",
)
_CODE_PUNCTUATION: Final = frozenset("(){}:;=<[")
_FILENAME = re.compile(
    r"\.(?:py|js|mjs|ts|tsx|jsx|java|go|rs|c|cc|cpp|h|hpp|cs|rb|php|kt|swift"
    r"|sh|sql|ya?ml|toml|ipynb|vue|scala|lock|gradle|csproj|dll|so|exe)\b"
)
_INLINE_CODE = re.compile(r"`[^`\n]{2,80}`")
_MATH_SYMBOL = re.compile(
    r"\\(?:frac|int|sum|lim|sqrt|cdot|times|alpha|beta|theta|pi|infty|partial|mathbb"
    r"|begin|le|ge|neq|binom)\b|[∑∫√π≤≥≠∞±∂∈∀∃∏÷×²³]|\$[^$\n]{1,80}\$"
)
# An operator followed by an operand; the left operand is checked in `_equations`.
_OPERATOR = re.compile(r"[\^=+*/×÷](?=\s?[-(]?[0-9a-z(])")
_MATH_FUNCTIONS: Final = ("sin(", "cos(", "tan(", "ln(", "log(", "sqrt(", "exp(")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_QUANTITY_QUESTION = re.compile(
    r"\bhow (?:many|much|long|far|old|fast|tall)\b|\bwhat (?:is|was|will be) the "
    r"(?:\w+ ){0,2}(?:total|sum|average|probability|cost|price|value|area|volume|speed"
    r"|distance|ratio|percentage|profit|interest|change|difference)\b|\bwhat percent"
    r"|\bhow (?:do|would) (?:i|you) (?:calculate|compute|work out"
    r"|figure out)\b|\bwhat do i need\b|\bworth after\b|\bwhen do they meet\b",
)
_PERCENT_OF = re.compile(r"%\s*of\s+\$?\d|percent of\s+\$?\d")
_QUANTIFIERS: Final = frozenset(("all", "no", "some", "every", "alle", "todos", "tous"))
_COPULAS: Final = frozenset(("are", "is", "sind", "son", "sont"))
_LOGIC_MARKS: Final = ("always lies", "tells the truth", "what has ", "if and only if")
_ABOUT_QUESTION = re.compile(r"\bwhat(?:'s| is| was)\s+(?:this|the|that)\s+[\w ]{0,30}about\b")
_FIELD_LIST = re.compile(r"\{\s*[a-z_]\w*\s*(?:,\s*[a-z_]\w*\s*(?::\s*\[[^\]]*\])?\s*){1,}\}")
_GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|hiya|yo|hola|bonjour|hallo|salut|good (?:morning|afternoon|evening)"
    r"|thanks|thank you|ok(?:ay)?|cool)\b"
)


def _cap(text: str) -> str:
    if len(text) <= MAX_SCAN:
        return text
    return text[:_HEAD] + "\n\n" + text[-_TAIL:]


def _split_instruction(text: str) -> tuple[list[str], list[str]]:
    """Words of the instruction and words of the material around it (see module doc);
    `text` is lowercased."""
    paragraphs = [p for p in _PARAGRAPH.split(text) if p.strip()]
    if len(paragraphs) >= 2:
        first, last = paragraphs[0], paragraphs[-1]
        # "Summarize this:\n\n<text>" vs "<code>\n\nWhy does it fail?": the instruction
        # is a short or colon-ended first paragraph and/or a short last one.
        introduces = first.rstrip().endswith(":")
        take_first = introduces or len(first) <= 400
        take_last = len(last) <= 300 and not (introduces and len(paragraphs) == 2)
        if not take_first and not take_last:
            take_first = True
        instruction = "\n".join(p for p, take in ((first, take_first), (last, take_last)) if take)
        body_parts = paragraphs[(1 if take_first else 0) : (-1 if take_last else None)]
        head = _WORD.findall(instruction)
        body = _WORD.findall(" ".join(body_parts))
        n = _INSTRUCTION_WORDS
        if len(head) > 3 * n:  # a long first paragraph is material too
            return head[:n] + head[-n:], head[n:-n] + body
        return head, body
    words = _WORD.findall(text)
    if len(words) <= 3 * _INSTRUCTION_WORDS:
        return words, []
    edge = _INSTRUCTION_WORDS // 2 + 5
    return words[:_INSTRUCTION_WORDS] + words[-edge:], words[_INSTRUCTION_WORDS:-edge]


def _lexical(
    words: Sequence[str],
    weight: float,
    scores: list[float],
    hits: dict[str, float],
    *,
    lead: bool = False,
) -> None:
    """Add the cues found in `words` (each cue once) to `scores`, times `weight`."""
    seen: set[str] = set()
    previous = ""
    before = ""
    topic = False
    base = weight
    for position, word in enumerate(words):
        # The request's leading cue ("Summarize this proof", "Write a poem") names the
        # task; later words are mostly its object and topic. Only the first cue counts so.
        leading = lead and position < 4
        weight = base * (LEAD_WEIGHT if leading else TOPIC_WEIGHT if topic else 1.0)
        stem = _stem(word)
        phrases: list[str] = []
        if previous in _PHRASE_FIRSTS:
            pair = previous + " " + stem
            phrases.append(pair)
            if before:
                phrases.append(before + " " + stem)
            before = pair if pair in _TRIPLE_FIRSTS else ""
        else:
            before = ""
        for phrase in phrases:
            if phrase not in seen:
                seen.add(phrase)
                found = _LEXICON.get(phrase)
                if found is not None:
                    for task, w in found:
                        scores[task] += w * weight
                    hits[phrase] = hits.get(phrase, 0.0) + max(w for _, w in found) * weight
        if stem not in seen:
            seen.add(stem)
            found = _LEXICON.get(stem)
            if found is not None:
                for task, w in found:
                    scores[task] += w * weight
                hits[stem] = hits.get(stem, 0.0) + max(w for _, w in found) * weight
                if leading and max(w for _, w in found) >= 2:
                    lead = False
        if stem == "about":
            # "a poem about recursion": what follows "about" is the topic, not the task.
            topic = True
        previous = stem


def _count(pattern: re.Pattern[str], text: str, cap: int) -> int:
    return sum(1 for _ in zip(range(cap), pattern.finditer(text), strict=False))


def _trace(text: str) -> bool:
    if any(mark in text for mark in _TRACE_MARKS) or _JAVA_FRAME.search(text):
        return True
    for match in _zip_cap(_EXCEPTION.finditer(text), 8):
        i, j = match.start(), match.end()
        # FooError / NullPointerException, or "Error: ..." as a message.
        if (i > 0 and text[i - 1].isalpha()) or text[j : j + 1] == ":":
            return True
    return False


def _zip_cap(matches: Iterable[re.Match[str]], cap: int) -> Iterable[re.Match[str]]:
    for _, match in zip(range(cap), matches, strict=False):
        yield match


def _definitions(lower: str) -> int:
    found = 0
    for line in lower.splitlines()[:200]:
        stripped = line.lstrip()
        if stripped.startswith(_DEFINITION_STARTS) and not _CODE_PUNCTUATION.isdisjoint(stripped):
            found += 1
            if found >= 4:
                break
    return found


def _equations(lower: str) -> int:
    """Operators between numbers, single-letter variables or parentheses: 3x + 7, x^2."""
    found = sum(1 for f in _MATH_FUNCTIONS if f in lower)
    for match in _zip_cap(_OPERATOR.finditer(lower), 40):
        j = match.start() - 1
        if j >= 0 and lower[j] == " ":
            j -= 1
        if j < 0:
            continue
        c = lower[j]
        if c.isdigit() or c in ")²³" or (c.isalpha() and (j == 0 or not lower[j - 1].isalpha())):
            found += 1
            if found >= 6:
                break
    return found


def _logic(words: Sequence[str], lower: str) -> int:
    """Syllogisms ("all A are B"), comparisons ("taller than"), riddles, liars."""
    found = sum(1 for mark in _LOGIC_MARKS if mark in lower)
    for i, word in enumerate(words):
        syllogism = word in _QUANTIFIERS and i + 2 < len(words) and words[i + 2] in _COPULAS
        comparison = word == "than" and i > 0 and words[i - 1].endswith("er")
        if syllogism or (comparison and words[i - 1] not in ("rather", "other")):
            found += 1
    return min(found, 3)


def _structure(
    text: str,
    lower: str,
    instruction: Sequence[str],
    prose: bool,
    weight: float,
    scores: list[float],
    signals: list[str],
) -> None:
    """Evidence from the shape of the text rather than its words."""
    code = 0.0
    if _definitions(lower):
        code += 2.0
        signals.append("code definition")
    if "```" in text:
        code += 2.5
        signals.append("code fence")
    if _trace(text):
        code += 3.0
        signals.append("error/stack trace")
    syntax = sum(1 for mark in _CODE_MARKS if mark in text)
    if text.rstrip().endswith(";"):
        syntax += 1
    if syntax:
        code += min(syntax, 10) * 0.55
        if syntax >= 3:
            signals.append(f"code syntax x{syntax}")
    for match in _zip_cap(_FILENAME.finditer(lower), 5):
        if match.start() and lower[match.start() - 1].isalnum():
            code += 1.2
            signals.append("file name")
            break
    if "`" in text and _INLINE_CODE.search(text):
        code += 0.8
    if "c++" in lower or "c#" in lower or "f#" in lower:
        code += 2.5
    scores[_C] += code * weight

    math_score = 0.0
    if "\\" in text or "$" in text or not text.isascii():
        symbols = _count(_MATH_SYMBOL, text, 4)
        if symbols:
            math_score += 1.5 * symbols
            signals.append("math notation")
    equations = _equations(lower)
    if equations:
        math_score += 0.9 * equations
        signals.append(f"equations x{equations}")
    numbers = _count(_NUMBER, lower, 12)
    if numbers >= 2 and _QUANTITY_QUESTION.search(lower):
        math_score += 2.5
        signals.append("word problem")
    elif numbers >= 2 and len(text) < 400 and "?" in text:
        math_score += 1.2  # a short question over several numbers
    if ("%" in lower or "percent" in lower) and _PERCENT_OF.search(lower):
        math_score += 2.0
        signals.append("percent of")
    if numbers and scores[_M] > 0:
        math_score += 1.0  # math words about actual numbers ("is 221 prime?")
    if code >= 3.0:  # `i = 0`, `a * b` inside code are not math
        math_score *= 0.3
    scores[_M] += math_score * weight

    logic = _logic(instruction, lower)
    if logic:
        scores[_R] += 1.2 * logic * weight
        signals.append("logic pattern")
    if "about" in lower and _ABOUT_QUESTION.search(lower):
        scores[_S] += 2.5 * weight
    if "{" in lower and _FIELD_LIST.search(lower):
        scores[_E] += 2.0 * weight
        signals.append("field list")
    if weight == 1.0 and _GREETING.match(lower):
        scores[_G] += 1.0
        signals.append("greeting")
    if len(text) > 600 and code < 3.0 and prose:
        # Pasted prose: the request is about a document (summarize it, pull things out).
        scores[_S] += 1.2 * weight
        scores[_E] += 0.5 * weight
        scores[_G] -= 0.8 * weight
        signals.append("long pasted text")


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts: list[str] = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, Mapping):
                text = part.get("text")
                if isinstance(text, str) and part.get("type", "text") in ("text", "input_text"):
                    parts.append(text)
        return "\n\n".join(parts)
    return ""


def _split_messages(messages: Iterable[Any]) -> tuple[str, str]:
    """(the last user message, the other messages' text) from an OpenAI-style list."""
    items = [m for m in messages if isinstance(m, Mapping)]
    primary_at = None
    for i in range(len(items) - 1, -1, -1):
        if items[i].get("role") == "user":
            primary_at = i
            break
    if primary_at is None:
        if not items:
            return "", ""
        primary_at = len(items) - 1
    primary = _content_text(items[primary_at].get("content"))
    context: list[str] = []
    size = 0
    for i in range(primary_at - 1, -1, -1):  # nearest first, capped
        if items[i].get("role") == "assistant":
            continue
        text = _content_text(items[i].get("content"))
        if text:
            text = text[: _MAX_CONTEXT_CHARS - size]
            context.append(text)
            size += len(text)
            if size >= _MAX_CONTEXT_CHARS:
                break
    return primary, "\n\n".join(reversed(context))


def _evidence(
    text: str, weight: float, scores: list[float], signals: list[str]
) -> dict[str, float]:
    hits: dict[str, float] = {}
    text = _cap(text)
    if not text.strip():
        return hits
    lower = text.lower()
    instruction, body = _split_instruction(lower)
    _lexical(instruction, weight, scores, hits, lead=True)
    if body:
        _lexical(body, weight * BODY_WEIGHT, scores, hits)
    # Prose: enough real words and spaces (not a blob of binary or one long token).
    prose = len(instruction) + len(body) >= 80 and text.count(" ") > len(text) // 12
    _structure(text, lower, instruction, prose, weight, scores, signals)
    return hits


def classify_task(
    prompt_or_messages: str | Sequence[Mapping[str, Any]] | Any,
) -> TaskClassification:
    """Classify a prompt (a string, or an OpenAI-style messages list) into a task type.

    Never raises on odd input: anything that is not text counts as an empty prompt,
    which is general chat with low confidence."""
    if isinstance(prompt_or_messages, str):
        primary, context = prompt_or_messages, ""
    elif isinstance(prompt_or_messages, bytes | bytearray):
        primary, context = bytes(prompt_or_messages).decode("utf-8", "replace"), ""
    elif isinstance(prompt_or_messages, Iterable) and not isinstance(prompt_or_messages, Mapping):
        primary, context = _split_messages(prompt_or_messages)
    elif isinstance(prompt_or_messages, Mapping):
        primary, context = _split_messages([prompt_or_messages])
    else:
        primary, context = "", ""

    scores = [0.0] * len(TASKS)
    signals: list[str] = []
    hits = _evidence(primary, 1.0, scores, signals)
    if context:
        context_signals: list[str] = []
        context_hits = _evidence(context, CONTEXT_WEIGHT, scores, context_signals)
        for cue, w in context_hits.items():
            hits[cue] = hits.get(cue, 0.0) + w
    scores[_G] += GENERAL_BASE
    scores = [max(s, 0.0) for s in scores]

    best = max(range(len(TASKS)), key=lambda i: (scores[i], -i))
    top = scores[best]
    exps = [math.exp((s - top) / TEMPERATURE) for s in scores]
    probability = 1.0 / sum(exps)
    evidence = sum(scores) - GENERAL_BASE
    # Little evidence overall: the softmax alone would be too sure of a thin margin.
    confidence = probability * (1.0 - math.exp(-max(evidence, 0.0) / 3.0))
    confidence = round(min(max(confidence, 0.0), 1.0), 4)

    task = TASKS[best]
    ranked = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
    reasons = [f"'{_DISPLAY.get(cue, cue)}'" for cue, _ in ranked]
    reasons.extend(signals[:3])
    if not reasons:
        reasons.append("no task cues: general chat")
    return TaskClassification(
        task=task,
        confidence=confidence,
        scores={t: round(s, 3) for t, s in zip(TASKS, scores, strict=True)},
        signals=tuple(reasons[:6]),
    )
