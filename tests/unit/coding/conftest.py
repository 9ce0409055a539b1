from tests.unit.coding.support import icd, icd_dir, reference_env

__all__ = ["icd", "icd_dir", "reference_env"]
