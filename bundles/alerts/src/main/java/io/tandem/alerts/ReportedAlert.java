package io.tandem.alerts;

import io.tandem.api.Alert;

/** An alert as an output saw it: the alert and the replica that reported it. */
public record ReportedAlert(Alert alert, String reporter) {
}
