"""Words that name a matter of BPJS Ketenagakerjaan, for telling near-domain off-topic apart.

"cara daftar BLT dana desa", "bengkel dekat borong di mana" or "kode bayar pdam" share a word or
two with real questions ("daftar", "di mana", "bayar") and so score like them. A message that
names none of the domain's own matters (the agency, its programmes, premiums, claims, members,
workers and employers) must match clearly before it is answered; otherwise it falls back.
The list is read against the normalised message (after the slang map: "bpjs tk" is already
"bpjs ketenagakerjaan").
"""

from __future__ import annotations

DOMAIN_WORDS = frozenset([
    "bpjs", "bpjamsostek", "jamsostek", "jamsos", "ketenagakerjaan", "bpjstk", "jht", "jkk",
    "jkm", "jp", "jkp", "bpu", "pu", "iuran", "iur", "premi", "jaminan", "manfaat", "santunan",
    "klaim", "cair", "cairkan", "pencairan", "saldo", "beasiswa", "pensiun", "kecelakaan",
    "meninggal", "kematian", "ahli", "waris", "ditanggung", "tanggung", "denda", "telat",
    "autodebit", "nonaktif", "peserta", "kepesertaan", "kartu", "kpj", "jmo", "perisai", "agen",
    "lapak", "asik", "lapakasik", "plkk", "wadah", "jakon", "kesehatan", "jkn", "kis", "faskes",
    "mandiri", "daftar", "daftarkan", "didaftarkan", "pendaftaran", "terdaftar", "ikut", "join",
    "kantor", "cabang", "175", "berhenti", "resign", "mengundurkan", "upah", "gaji", "program",
    "pekerja", "karyawan", "perusahaan", "pmi", "migran",
])  # fmt: skip


def names_domain(words: list[str]) -> bool:
    return any(w in DOMAIN_WORDS for w in words)
