"""Messages of gradviz.check: gradcheck's report."""

MESSAGES = {
    "check.report_ok": {
        "en": "ok  {label}: max |analytic − numeric| = {error}",
        "es": "bien {label}: máx |analítico − numérico| = {error}",
    },
    "check.report_bad": {
        "en": "BAD {label}: max |analytic − numeric| = {error}",
        "es": "MAL {label}: máx |analítico − numérico| = {error}",
    },
    "check.analytic": {"en": "     analytic: {values}", "es": "     analítico: {values}"},
    "check.numeric": {"en": "     numeric:  {values}", "es": "     numérico:  {values}"},
}
