"""Procedure modifiers a physician's office uses, with what each one says.

Meanings are written in our own words (the CPT modifier descriptors are
AMA-licensed; the HCPCS Level II modifiers are CMS's public list). A line may
carry up to four. A modifier not on this list is refused on a line.
"""

from __future__ import annotations

MAX_PER_LINE = 4

MODIFIERS: dict[str, str] = {
    # CPT modifiers
    "22": "Increased procedural services (substantially more work than usual)",
    "23": "Unusual anesthesia",
    "24": "Unrelated E/M service by the same physician during a postoperative period",
    "25": "Significant, separately identifiable E/M service on the same day as a procedure",
    "26": "Professional component only",
    "27": "Multiple outpatient hospital E/M encounters on the same date",
    "32": "Mandated service (required by a payer or agency)",
    "33": "Preventive service (no cost sharing under the ACA)",
    "47": "Anesthesia by the surgeon",
    "50": "Bilateral procedure",
    "51": "Multiple procedures in the same session",
    "52": "Reduced services",
    "53": "Discontinued procedure",
    "54": "Surgical care only",
    "55": "Postoperative management only",
    "56": "Preoperative management only",
    "57": "Decision for surgery made at this E/M visit",
    "58": "Staged or related procedure by the same physician during the postoperative period",
    "59": "Distinct procedural service (separate site, session or injury)",
    "62": "Two surgeons",
    "63": "Procedure on an infant under 4 kg",
    "66": "Surgical team",
    "76": "Repeat procedure by the same physician",
    "77": "Repeat procedure by another physician",
    "78": "Unplanned return to the operating room during the postoperative period",
    "79": "Unrelated procedure during the postoperative period",
    "80": "Assistant surgeon",
    "81": "Minimum assistant surgeon",
    "82": "Assistant surgeon when no qualified resident is available",
    "90": "Reference (outside) laboratory",
    "91": "Repeat clinical laboratory test on the same day",
    "92": "Alternative laboratory platform testing",
    "93": "Synchronous telemedicine by audio only",
    "95": "Synchronous telemedicine by real-time audio and video",
    "96": "Habilitative services",
    "97": "Rehabilitative services",
    "99": "Multiple modifiers (see the claim's notes)",
    # HCPCS Level II modifiers
    "AI": "Principal physician of record",
    "AQ": "Physician service in a health professional shortage area",
    "AS": "Assistant at surgery by a PA, NP or clinical nurse specialist",
    "AT": "Acute treatment (chiropractic)",
    "CR": "Catastrophe or disaster related",
    "CS": "Cost-sharing waived (e.g. COVID-19 testing related service)",
    "E1": "Upper left eyelid",
    "E2": "Lower left eyelid",
    "E3": "Upper right eyelid",
    "E4": "Lower right eyelid",
    "F1": "Left hand, second digit",
    "F2": "Left hand, third digit",
    "F3": "Left hand, fourth digit",
    "F4": "Left hand, fifth digit",
    "F5": "Right hand, thumb",
    "F6": "Right hand, second digit",
    "F7": "Right hand, third digit",
    "F8": "Right hand, fourth digit",
    "F9": "Right hand, fifth digit",
    "FA": "Left hand, thumb",
    "FS": "Split or shared E/M visit",
    "FT": "Unrelated E/M visit on the same day as another E/M visit or during a global period",
    "GA": "Waiver of liability (ABN) on file",
    "GC": "Service performed in part by a resident under a teaching physician",
    "GE": "Service performed by a resident without a teaching physician (primary care exception)",
    "GT": "Interactive audio and video telecommunication (older telehealth modifier)",
    "GV": "Attending physician not employed by the hospice",
    "GW": "Service not related to the hospice patient's terminal condition",
    "GX": "Notice of liability issued, voluntary under payer policy",
    "GY": "Item or service statutorily excluded or not a covered benefit",
    "GZ": "Item or service expected to be denied as not reasonable and necessary; no ABN",
    "JW": "Drug amount discarded, not given to any patient",
    "JZ": "Zero drug amount discarded",
    "KX": "Requirements in the medical policy have been met",
    "LT": "Left side",
    "RT": "Right side",
    "Q5": "Service by a substitute physician under a reciprocal billing arrangement",
    "Q6": "Service by a substitute physician under a fee-for-time arrangement (locum tenens)",
    "QW": "CLIA-waived test",
    "SA": "Nurse practitioner rendering service with a collaborating physician",
    "SL": "State-supplied vaccine",
    "TA": "Left foot, great toe",
    "T1": "Left foot, second digit",
    "T2": "Left foot, third digit",
    "T3": "Left foot, fourth digit",
    "T4": "Left foot, fifth digit",
    "T5": "Right foot, great toe",
    "T6": "Right foot, second digit",
    "T7": "Right foot, third digit",
    "T8": "Right foot, fourth digit",
    "T9": "Right foot, fifth digit",
    "TC": "Technical component only",
    "XE": "Separate encounter (a distinct service at a different encounter)",
    "XP": "Separate practitioner (a distinct service by a different practitioner)",
    "XS": "Separate structure (a distinct service on a separate organ or structure)",
    "XU": "Unusual non-overlapping service (distinct from the main service)",
}


def normalize(m: str) -> str:
    return (m or "").strip().upper()


def meaning(m: str) -> str | None:
    return MODIFIERS.get(normalize(m))


def is_known(m: str) -> bool:
    return normalize(m) in MODIFIERS
