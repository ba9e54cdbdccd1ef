"""The signature-verification example in docs/api.md works against real deliveries."""

from __future__ import annotations

import re
from pathlib import Path

from helpdesk.services import webhook_delivery

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _example() -> dict:
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"<!-- signature-example -->\s*```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def test_documented_verifier_accepts_our_signature_and_rejects_tampering():
    verify = _example()["verify"]
    body = '{"event":"ticket.created","data":{"ticket":{"number":1042}}}'.encode()
    header = webhook_delivery.signature("el-secreto-compartido-123", body)
    assert verify("el-secreto-compartido-123", body, header)
    assert not verify("otro-secreto-distinto-456", body, header)
    assert not verify("el-secreto-compartido-123", body + b" ", header)
    assert not verify("el-secreto-compartido-123", body, "")
