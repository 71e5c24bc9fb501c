"""Signer backends: encrypted USB key files and PKCS#11 tokens."""
