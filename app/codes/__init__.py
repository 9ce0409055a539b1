"""Reference code sets: ICD-10-CM (search index over the ``simple-icd-10-cm``
package), CPT/HCPCS fee-schedule files, the CMS HCPCS Level II file, modifiers,
places of service, and the age/sex checks on diagnoses.

Nothing here holds patient data, and nothing here is imported at program
start: the ICD-10-CM package is imported only when its index has to be built.
"""
