"""Signatures per second: the tool's PKCS#11 signer against a raw python-pkcs11 loop.

    .venv/bin/python scripts/bench_pkcs11.py [--signatures 4000] [--algorithm ed25519]...

Both loops sign the same payload with the same key on a throwaway SoftHSM2 token (in a private
SOFTHSM2_CONF directory that is deleted afterwards), over one logged-in session each:

- raw:    `private_key.sign(...)` with the mechanism and parameters TUF needs (SHA-256 on the
          host + CKM_ECDSA for P-256; PSS with SHA-256, MGF1-SHA256, salt 32 for RSA);
- signer: `Pkcs11Signer.sign(payload)`, which adds what TUF needs around the same call (the DER
          encoding of ECDSA signatures, the hex `Signature`).

The two loops run side by side, one signature each in turn, so that load from other processes
falls on both alike; each rate is one over the median time of that loop's signatures. A ceremony
makes tens of signatures, so this checks that the signer adds no per-signature cost (such as
a login per signature), not that hardware is fast.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pkcs11 import Attribute, Mechanism, ObjectClass

from ceremony.keys.pkcs11 import Pkcs11Signer
from ceremony.keys.pkcs11_keygen import generate_key_pair
from ceremony.keys.pkcs11_keys import ECDSA_P256, ED25519, PSS_SHA256_PARAMS
from ceremony.keys.pkcs11_module import load_module, release_module
from ceremony.keys.pkcs11_softhsm import ENV_VAR, find_softhsm, init_token, write_config
from ceremony.keys.pkcs11_uri import Pkcs11Uri

PIN = "bench-pin"
TOKEN_LABEL = "bench"  # noqa: S105 (a label, not a secret)
ALGORITHMS = ("ed25519", "ecdsa-p256", "rsa-3072")
# RSA-3072 signs about 30 times slower than the elliptic curves.
SLOWER = {"rsa-3072": 15}


def raw_sign_call(algorithm: str, private_key: Any, payload: bytes) -> Callable[[], bytes]:
    """One python-pkcs11 signature with the parameters TUF needs, as a plain loop would make it."""
    if algorithm == ED25519.name:
        return lambda: bytes(private_key.sign(payload, mechanism=Mechanism.EDDSA))
    if algorithm == ECDSA_P256.name:
        return lambda: bytes(
            private_key.sign(hashlib.sha256(payload).digest(), mechanism=Mechanism.ECDSA)
        )
    return lambda: bytes(
        private_key.sign(
            payload,
            mechanism=Mechanism.SHA256_RSA_PKCS_PSS,
            mechanism_param=PSS_SHA256_PARAMS,
        )
    )


def bench(module: str, algorithm: str, count: int, payload: bytes) -> tuple[float, float]:
    """(raw, signer) signatures per second, over `count` signatures by each, interleaved."""
    label = f"bench-{algorithm}"
    generated = generate_key_pair(
        module,
        Pkcs11Uri(token=TOKEN_LABEL),
        label,
        algorithm,
        lambda _: PIN,
        lambda _key, _uri: None,
    )
    raw_times: list[float] = []
    signer_times: list[float] = []
    clock = time.perf_counter
    with Pkcs11Signer.from_priv_key_uri(
        str(generated.uri), generated.public_key, lambda _: PIN
    ) as signer:
        # PKCS#11 login state belongs to the application, not the session: this second session
        # needs no login of its own, so both loops run side by side on the same key.
        token = load_module(module).get_token(token_label=TOKEN_LABEL)
        with token.open() as session:
            private_key = session.get_key(ObjectClass.PRIVATE_KEY, label=label)
            assert private_key[Attribute.SENSITIVE] is True
            raw = raw_sign_call(algorithm, private_key, payload)
            tool = signer.sign
            # One signature each, in turn, and which goes first alternates: load from other
            # processes (this is often a busy shared machine) then falls on both alike.
            for i in range(count):
                start = clock()
                if i % 2:
                    raw()
                    middle = clock()
                    tool(payload)
                    end = clock()
                    raw_times.append(middle - start)
                    signer_times.append(end - middle)
                else:
                    tool(payload)
                    middle = clock()
                    raw()
                    end = clock()
                    signer_times.append(middle - start)
                    raw_times.append(end - middle)
    # Medians: a signature that waited for the CPU behind another process says nothing about
    # either loop, and medians ignore such outliers where totals do not.
    return 1 / statistics.median(raw_times), 1 / statistics.median(signer_times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--signatures", type=int, default=4000, help="by each (RSA: / 15)")
    parser.add_argument("--payload-bytes", type=int, default=1024)
    parser.add_argument("--algorithm", action="append", choices=ALGORITHMS)
    args = parser.parse_args(argv)

    install = find_softhsm()
    if install is None:
        print("bench_pkcs11: SoftHSM2 is not installed (apt-get install softhsm2)", file=sys.stderr)
        return 2
    payload = os.urandom(args.payload_bytes)
    with tempfile.TemporaryDirectory(prefix="bench-pkcs11-") as directory:
        conf = write_config(Path(directory))
        os.environ[ENV_VAR] = str(conf)  # before the module is first loaded in this process
        init_token(install, conf, TOKEN_LABEL, PIN)
        print(
            f"SoftHSM2 {os.path.realpath(install.module)}, payload {len(payload)} bytes, "
            "raw and signer signatures interleaved one by one"
        )
        print(f"{'algorithm':<12} {'signatures':>10} {'raw sig/s':>10} {'signer sig/s':>13} ratio")
        worst = 1.0
        for algorithm in args.algorithm or ALGORITHMS:
            count = max(1, args.signatures // SLOWER.get(algorithm, 1))
            raw, signer = bench(install.module, algorithm, count, payload)
            worst = min(worst, signer / raw)
            print(f"{algorithm:<12} {count:>10} {raw:>10.0f} {signer:>13.0f} {signer / raw:>6.2f}")
        release_module(install.module)
    print(f"lowest ratio {worst:.2f} (target: at least 0.90)")
    return 0 if worst >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
