"""How hard a new key file passphrase is to guess, estimated by zxcvbn.

A key file on a USB stick is only as safe as its passphrase: whoever finds or copies the stick
can try passphrases offline for as long as they like. Argon2id makes each guess cost about half
a second of one machine, so a passphrase an attacker finds within 10^8 guesses (under two years
of one machine, hours for a rented cluster) is refused, and one within 10^10 is accepted with a
warning. The estimate is zxcvbn's (Dropbox's estimator: dictionaries of common passwords,
names and words, keyboard patterns, dates, repeats and l33t substitutions), never our own.

Report, then enforce (design.md section 5): `check_passphrase` returns the estimate, and
`require_passphrase_strength` raises `WeakPassphraseError` for a refused one and returns the
warning to show for a weak one. Neither the report nor a message ever holds the passphrase:
zxcvbn's feedback sentences are generic ("This is a top-100 common password.").

Pure: the passphrase and words the attacker may know (the keyholder's name, the file name) in,
a report out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from zxcvbn import zxcvbn

from ceremony.errors import KeyFileError

REFUSE_BELOW_LOG10 = 8
"""A passphrase guessable in fewer than 10^8 guesses is refused."""
WARN_BELOW_LOG10 = 10
"""A passphrase guessable in fewer than 10^10 guesses is accepted with a warning."""
ESTIMATED_CHARACTERS = 72
"""zxcvbn's own limit; a longer passphrase is rated by its first 72 characters (a lower bound:
the characters after them only make it harder to guess)."""
RANDOM_WORDS = (
    "five or more words picked at random (with dice and a word list, not a saying, a quote or "
    "a name), separated by spaces"
)
HOW_TO_CHOOSE = f"choose {RANDOM_WORDS}"


class WeakPassphraseError(KeyFileError):
    """The passphrase of a new key file is too easy to guess. Never includes the passphrase."""


@dataclass(frozen=True)
class PassphraseStrength:
    """zxcvbn's estimate of how many guesses would find a passphrase."""

    guesses_log10: float
    feedback: str  # zxcvbn's warning sentence, "" when it has none

    @property
    def order(self) -> int:
        """The power of ten of the guesses, as shown: 10^order."""
        return max(0, math.floor(self.guesses_log10))

    @property
    def refused(self) -> bool:
        return self.guesses_log10 < REFUSE_BELOW_LOG10

    @property
    def weak(self) -> bool:
        return self.guesses_log10 < WARN_BELOW_LOG10

    def _about(self) -> str:
        why = f" ({self.feedback.rstrip('.')})" if self.feedback else ""
        return f"about 10^{self.order} guesses would find it{why}"

    def refusal(self) -> WeakPassphraseError:
        return WeakPassphraseError(
            f"the passphrase is too easy to guess: {self._about()}, and a key file needs at "
            f"least 10^{REFUSE_BELOW_LOG10}; nothing was written",
            HOW_TO_CHOOSE,
        )

    def warning(self) -> str | None:
        """One line for a weak (accepted) passphrase, None for a strong one."""
        if not self.weak:
            return None
        return (
            f"the passphrase is weak: {self._about()}; 10^{WARN_BELOW_LOG10} or more is "
            f"recommended: {RANDOM_WORDS}"
        )


def check_passphrase(passphrase: str, known_words: Iterable[str] = ()) -> PassphraseStrength:
    """zxcvbn's estimate for `passphrase`; `known_words` (the keyholder's name, the key file's
    name) count as words an attacker would try first."""
    result = zxcvbn(passphrase[:ESTIMATED_CHARACTERS], user_inputs=[w for w in known_words if w])
    warning = result["feedback"]["warning"]
    return PassphraseStrength(float(result["guesses_log10"]), str(warning or ""))


def require_passphrase_strength(passphrase: str, known_words: Iterable[str] = ()) -> str | None:
    """Raise `WeakPassphraseError` for a passphrase below 10^8 guesses; return the warning
    for one below 10^10 (None for a strong one)."""
    strength = check_passphrase(passphrase, known_words)
    if strength.refused:
        raise strength.refusal()
    return strength.warning()
