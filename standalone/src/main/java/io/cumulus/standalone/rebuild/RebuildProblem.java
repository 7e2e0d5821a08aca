package io.cumulus.standalone.rebuild;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/** The refusals of {@code /v1/admin/rebuilds}, each its own problem type. */
final class RebuildProblem extends ProblemException {

    private RebuildProblem(HttpStatus status, String slug, String title, String detail) {
        super(status, slug, title, detail);
    }

    static RebuildProblem unknownProjection(String detail, Iterable<String> known) {
        RebuildProblem p = new RebuildProblem(HttpStatus.NOT_FOUND, "unknown-projection", "No such projection here", detail);
        p.property("projections", known);
        return p;
    }

    static RebuildProblem running(String detail, String id) {
        RebuildProblem p = new RebuildProblem(HttpStatus.CONFLICT, "rebuild-running", "A rebuild of this projection runs",
                detail);
        p.property("id", id);
        return p;
    }

    static RebuildProblem runningElsewhere(String detail) {
        return new RebuildProblem(HttpStatus.CONFLICT, "rebuild-running", "A rebuild of this projection runs", detail);
    }

    static RebuildProblem notFound(String id) {
        return new RebuildProblem(HttpStatus.NOT_FOUND, "rebuild-not-found", "No such rebuild",
                "no rebuild " + (id.length() <= 60 ? id : id.substring(0, 60) + "…") + " (finished ones are kept until"
                        + " the server restarts)");
    }

    static RebuildProblem notAbortable(String detail) {
        return new RebuildProblem(HttpStatus.CONFLICT, "rebuild-not-abortable", "Too late to abort", detail);
    }

    static RebuildProblem invalid(String detail) {
        return new RebuildProblem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
    }
}
