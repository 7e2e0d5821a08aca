package io.cumulus.ingest.gc;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.AdminToken;
import io.cumulus.ingest.auth.PublicEndpoint;
import io.cumulus.ingest.web.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code POST /v1/admin/fsck} (admin token): checks the chunk store and answers the {@link FsckReport};
 * {@code ?repair=true} repairs what can safely be repaired first. The request lasts as long as the check
 * (minutes on a large store); the server logs its progress.
 */
@RestController
public class FsckController {
    private final Fsck fsck;
    private final AdminToken adminToken;

    public FsckController(Fsck fsck, AdminToken adminToken) {
        this.fsck = fsck;
        this.adminToken = adminToken;
    }

    @PublicEndpoint
    @PostMapping(path = "/v1/admin/fsck", produces = MediaType.APPLICATION_JSON_VALUE)
    FsckReport fsck(HttpServletRequest request, @RequestParam(required = false) String repair) {
        adminToken.check(request);
        return fsck.run(repairWanted(repair));
    }

    private static boolean repairWanted(String repair) {
        if (repair == null || repair.equals("false")) {
            return false;
        }
        if (repair.equals("true")) {
            return true;
        }
        throw new InvalidRequestException("invalid-parameter", "Invalid query parameter",
                "repair must be true or false, was '" + (repair.length() <= 20 ? repair : repair.substring(0, 20) + "…") + "'")
                .with("parameter", "repair");
    }
}
