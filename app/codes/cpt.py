"""CPT and HCPCS procedure codes: what a well-formed code looks like.

CPT descriptors are licensed by the AMA, so the program ships no CPT list;
the office's fee schedule is its list of procedure codes. HCPCS Level II
codes come from CMS's public file (``app.codes.hcpcs``).
"""

from __future__ import annotations

import re

# CPT Category I: 5 digits; Category II: 4 digits + F; Category III: 4
# digits + T; proprietary laboratory analyses: 4 digits + U; HCPCS Level II:
# a letter A-V and 4 digits.
_PROCEDURE = re.compile(r"^(\d{4}[0-9FTU]|[A-V]\d{4})$")


def normalize(code: str) -> str:
    return (code or "").strip().upper()


def procedure_code_problem(code: str) -> str | None:
    """Why ``code`` is not a CPT/HCPCS code, or None."""
    c = normalize(code)
    if not c:
        return "Procedure code is required"
    if not _PROCEDURE.match(c):
        return (
            f"'{c}' is not a CPT or HCPCS code (5 digits such as 99213, 4 digits and "
            "F/T/U such as 3074F, or a letter and 4 digits such as J1100)"
        )
    return None


def is_hcpcs_level2(code: str) -> bool:
    return bool(re.match(r"^[A-V]\d{4}$", normalize(code)))
