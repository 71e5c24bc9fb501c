"""The PGP word list, for reading a digest aloud one byte per word.

Designed in 1995 by Patrick Juola and Philip Zimmermann for PGPfone and later used by PGP for
its "biometric" fingerprint display, it is two lists of 256 phonetically distinct words chosen
so that they are hard to mishear. Bytes at even positions (0, 2, 4, ...) are read from
`EVEN_WORDS` (two syllables) and bytes at odd positions from `ODD_WORDS` (three syllables).
Because the two lists alternate, a listener notices when two words are swapped, a word is
repeated or a word is dropped: the rhythm of syllables breaks.

Licence: the list is often described as public domain, but other copies (Wikipedia, CPAN's
Encode::Wordlist::PGP) describe it as licensed by PGP Corporation under the GNU Free
Documentation License. Its exact terms have not been confirmed from a primary source.

The words are stored lowercase ASCII (the published list capitalises proper nouns such as
"Zulu", and its last odd word is written "Yucatan" or "Yucatán"). This copy was checked word
for word against two independent transcriptions of the published list (CPAN's
Encode::Wordlist::PGP and Warren Guy's transcription used by magic-wormhole); each row below is
(byte, even word, odd word).

Never edit, reorder or re-case these words: a fingerprint read aloud is only useful if every
copy of this program, and every other PGP word list implementation, maps bytes to the same words.
"""

from __future__ import annotations

_PAIRS: tuple[tuple[str, str], ...] = (
    ("aardvark", "adroitness"),  # 00
    ("absurd", "adviser"),  # 01
    ("accrue", "aftermath"),  # 02
    ("acme", "aggregate"),  # 03
    ("adrift", "alkali"),  # 04
    ("adult", "almighty"),  # 05
    ("afflict", "amulet"),  # 06
    ("ahead", "amusement"),  # 07
    ("aimless", "antenna"),  # 08
    ("algol", "applicant"),  # 09
    ("allow", "apollo"),  # 0a
    ("alone", "armistice"),  # 0b
    ("ammo", "article"),  # 0c
    ("ancient", "asteroid"),  # 0d
    ("apple", "atlantic"),  # 0e
    ("artist", "atmosphere"),  # 0f
    ("assume", "autopsy"),  # 10
    ("athens", "babylon"),  # 11
    ("atlas", "backwater"),  # 12
    ("aztec", "barbecue"),  # 13
    ("baboon", "belowground"),  # 14
    ("backfield", "bifocals"),  # 15
    ("backward", "bodyguard"),  # 16
    ("banjo", "bookseller"),  # 17
    ("beaming", "borderline"),  # 18
    ("bedlamp", "bottomless"),  # 19
    ("beehive", "bradbury"),  # 1a
    ("beeswax", "bravado"),  # 1b
    ("befriend", "brazilian"),  # 1c
    ("belfast", "breakaway"),  # 1d
    ("berserk", "burlington"),  # 1e
    ("billiard", "businessman"),  # 1f
    ("bison", "butterfat"),  # 20
    ("blackjack", "camelot"),  # 21
    ("blockade", "candidate"),  # 22
    ("blowtorch", "cannonball"),  # 23
    ("bluebird", "capricorn"),  # 24
    ("bombast", "caravan"),  # 25
    ("bookshelf", "caretaker"),  # 26
    ("brackish", "celebrate"),  # 27
    ("breadline", "cellulose"),  # 28
    ("breakup", "certify"),  # 29
    ("brickyard", "chambermaid"),  # 2a
    ("briefcase", "cherokee"),  # 2b
    ("burbank", "chicago"),  # 2c
    ("button", "clergyman"),  # 2d
    ("buzzard", "coherence"),  # 2e
    ("cement", "combustion"),  # 2f
    ("chairlift", "commando"),  # 30
    ("chatter", "company"),  # 31
    ("checkup", "component"),  # 32
    ("chisel", "concurrent"),  # 33
    ("choking", "confidence"),  # 34
    ("chopper", "conformist"),  # 35
    ("christmas", "congregate"),  # 36
    ("clamshell", "consensus"),  # 37
    ("classic", "consulting"),  # 38
    ("classroom", "corporate"),  # 39
    ("cleanup", "corrosion"),  # 3a
    ("clockwork", "councilman"),  # 3b
    ("cobra", "crossover"),  # 3c
    ("commence", "crucifix"),  # 3d
    ("concert", "cumbersome"),  # 3e
    ("cowbell", "customer"),  # 3f
    ("crackdown", "dakota"),  # 40
    ("cranky", "decadence"),  # 41
    ("crowfoot", "december"),  # 42
    ("crucial", "decimal"),  # 43
    ("crumpled", "designing"),  # 44
    ("crusade", "detector"),  # 45
    ("cubic", "detergent"),  # 46
    ("dashboard", "determine"),  # 47
    ("deadbolt", "dictator"),  # 48
    ("deckhand", "dinosaur"),  # 49
    ("dogsled", "direction"),  # 4a
    ("dragnet", "disable"),  # 4b
    ("drainage", "disbelief"),  # 4c
    ("dreadful", "disruptive"),  # 4d
    ("drifter", "distortion"),  # 4e
    ("dropper", "document"),  # 4f
    ("drumbeat", "embezzle"),  # 50
    ("drunken", "enchanting"),  # 51
    ("dupont", "enrollment"),  # 52
    ("dwelling", "enterprise"),  # 53
    ("eating", "equation"),  # 54
    ("edict", "equipment"),  # 55
    ("egghead", "escapade"),  # 56
    ("eightball", "eskimo"),  # 57
    ("endorse", "everyday"),  # 58
    ("endow", "examine"),  # 59
    ("enlist", "existence"),  # 5a
    ("erase", "exodus"),  # 5b
    ("escape", "fascinate"),  # 5c
    ("exceed", "filament"),  # 5d
    ("eyeglass", "finicky"),  # 5e
    ("eyetooth", "forever"),  # 5f
    ("facial", "fortitude"),  # 60
    ("fallout", "frequency"),  # 61
    ("flagpole", "gadgetry"),  # 62
    ("flatfoot", "galveston"),  # 63
    ("flytrap", "getaway"),  # 64
    ("fracture", "glossary"),  # 65
    ("framework", "gossamer"),  # 66
    ("freedom", "graduate"),  # 67
    ("frighten", "gravity"),  # 68
    ("gazelle", "guitarist"),  # 69
    ("geiger", "hamburger"),  # 6a
    ("glitter", "hamilton"),  # 6b
    ("glucose", "handiwork"),  # 6c
    ("goggles", "hazardous"),  # 6d
    ("goldfish", "headwaters"),  # 6e
    ("gremlin", "hemisphere"),  # 6f
    ("guidance", "hesitate"),  # 70
    ("hamlet", "hideaway"),  # 71
    ("highchair", "holiness"),  # 72
    ("hockey", "hurricane"),  # 73
    ("indoors", "hydraulic"),  # 74
    ("indulge", "impartial"),  # 75
    ("inverse", "impetus"),  # 76
    ("involve", "inception"),  # 77
    ("island", "indigo"),  # 78
    ("jawbone", "inertia"),  # 79
    ("keyboard", "infancy"),  # 7a
    ("kickoff", "inferno"),  # 7b
    ("kiwi", "informant"),  # 7c
    ("klaxon", "insincere"),  # 7d
    ("locale", "insurgent"),  # 7e
    ("lockup", "integrate"),  # 7f
    ("merit", "intention"),  # 80
    ("minnow", "inventive"),  # 81
    ("miser", "istanbul"),  # 82
    ("mohawk", "jamaica"),  # 83
    ("mural", "jupiter"),  # 84
    ("music", "leprosy"),  # 85
    ("necklace", "letterhead"),  # 86
    ("neptune", "liberty"),  # 87
    ("newborn", "maritime"),  # 88
    ("nightbird", "matchmaker"),  # 89
    ("oakland", "maverick"),  # 8a
    ("obtuse", "medusa"),  # 8b
    ("offload", "megaton"),  # 8c
    ("optic", "microscope"),  # 8d
    ("orca", "microwave"),  # 8e
    ("payday", "midsummer"),  # 8f
    ("peachy", "millionaire"),  # 90
    ("pheasant", "miracle"),  # 91
    ("physique", "misnomer"),  # 92
    ("playhouse", "molasses"),  # 93
    ("pluto", "molecule"),  # 94
    ("preclude", "montana"),  # 95
    ("prefer", "monument"),  # 96
    ("preshrunk", "mosquito"),  # 97
    ("printer", "narrative"),  # 98
    ("prowler", "nebula"),  # 99
    ("pupil", "newsletter"),  # 9a
    ("puppy", "norwegian"),  # 9b
    ("python", "october"),  # 9c
    ("quadrant", "ohio"),  # 9d
    ("quiver", "onlooker"),  # 9e
    ("quota", "opulent"),  # 9f
    ("ragtime", "orlando"),  # a0
    ("ratchet", "outfielder"),  # a1
    ("rebirth", "pacific"),  # a2
    ("reform", "pandemic"),  # a3
    ("regain", "pandora"),  # a4
    ("reindeer", "paperweight"),  # a5
    ("rematch", "paragon"),  # a6
    ("repay", "paragraph"),  # a7
    ("retouch", "paramount"),  # a8
    ("revenge", "passenger"),  # a9
    ("reward", "pedigree"),  # aa
    ("rhythm", "pegasus"),  # ab
    ("ribcage", "penetrate"),  # ac
    ("ringbolt", "perceptive"),  # ad
    ("robust", "performance"),  # ae
    ("rocker", "pharmacy"),  # af
    ("ruffled", "phonetic"),  # b0
    ("sailboat", "photograph"),  # b1
    ("sawdust", "pioneer"),  # b2
    ("scallion", "pocketful"),  # b3
    ("scenic", "politeness"),  # b4
    ("scorecard", "positive"),  # b5
    ("scotland", "potato"),  # b6
    ("seabird", "processor"),  # b7
    ("select", "provincial"),  # b8
    ("sentence", "proximate"),  # b9
    ("shadow", "puberty"),  # ba
    ("shamrock", "publisher"),  # bb
    ("showgirl", "pyramid"),  # bc
    ("skullcap", "quantity"),  # bd
    ("skydive", "racketeer"),  # be
    ("slingshot", "rebellion"),  # bf
    ("slowdown", "recipe"),  # c0
    ("snapline", "recover"),  # c1
    ("snapshot", "repellent"),  # c2
    ("snowcap", "replica"),  # c3
    ("snowslide", "reproduce"),  # c4
    ("solo", "resistor"),  # c5
    ("southward", "responsive"),  # c6
    ("soybean", "retraction"),  # c7
    ("spaniel", "retrieval"),  # c8
    ("spearhead", "retrospect"),  # c9
    ("spellbind", "revenue"),  # ca
    ("spheroid", "revival"),  # cb
    ("spigot", "revolver"),  # cc
    ("spindle", "sandalwood"),  # cd
    ("spyglass", "sardonic"),  # ce
    ("stagehand", "saturday"),  # cf
    ("stagnate", "savagery"),  # d0
    ("stairway", "scavenger"),  # d1
    ("standard", "sensation"),  # d2
    ("stapler", "sociable"),  # d3
    ("steamship", "souvenir"),  # d4
    ("sterling", "specialist"),  # d5
    ("stockman", "speculate"),  # d6
    ("stopwatch", "stethoscope"),  # d7
    ("stormy", "stupendous"),  # d8
    ("sugar", "supportive"),  # d9
    ("surmount", "surrender"),  # da
    ("suspense", "suspicious"),  # db
    ("sweatband", "sympathy"),  # dc
    ("swelter", "tambourine"),  # dd
    ("tactics", "telephone"),  # de
    ("talon", "therapist"),  # df
    ("tapeworm", "tobacco"),  # e0
    ("tempest", "tolerance"),  # e1
    ("tiger", "tomorrow"),  # e2
    ("tissue", "torpedo"),  # e3
    ("tonic", "tradition"),  # e4
    ("topmost", "travesty"),  # e5
    ("tracker", "trombonist"),  # e6
    ("transit", "truncated"),  # e7
    ("trauma", "typewriter"),  # e8
    ("treadmill", "ultimate"),  # e9
    ("trojan", "undaunted"),  # ea
    ("trouble", "underfoot"),  # eb
    ("tumor", "unicorn"),  # ec
    ("tunnel", "unify"),  # ed
    ("tycoon", "universe"),  # ee
    ("uncut", "unravel"),  # ef
    ("unearth", "upcoming"),  # f0
    ("unwind", "vacancy"),  # f1
    ("uproot", "vagabond"),  # f2
    ("upset", "vertigo"),  # f3
    ("upshot", "virginia"),  # f4
    ("vapor", "visitor"),  # f5
    ("village", "vocalist"),  # f6
    ("virus", "voyager"),  # f7
    ("vulcan", "warranty"),  # f8
    ("waffle", "waterloo"),  # f9
    ("wallet", "whimsical"),  # fa
    ("watchword", "wichita"),  # fb
    ("wayside", "wilmington"),  # fc
    ("willow", "wyoming"),  # fd
    ("woodlark", "yesteryear"),  # fe
    ("zulu", "yucatan"),  # ff
)

EVEN_WORDS: tuple[str, ...] = tuple(even for even, _ in _PAIRS)
"""Two-syllable words, for bytes at even positions; `EVEN_WORDS[b]` is the word for byte b."""

ODD_WORDS: tuple[str, ...] = tuple(odd for _, odd in _PAIRS)
"""Three-syllable words, for bytes at odd positions; `ODD_WORDS[b]` is the word for byte b."""
