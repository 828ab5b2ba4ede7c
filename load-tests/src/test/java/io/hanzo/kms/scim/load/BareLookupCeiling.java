package io.hanzo.kms.scim.load;

/**
 * The read ceiling: {@link LookupStorm}'s exact load (connections, duration, request mix) aimed at the
 * bare Vert.x server of load-tests/tools, which answers each request with a fixed lookup answer the
 * size of the server's. run.sh points BENCH_BASE_URL at that server for this run.
 */
public class BareLookupCeiling extends LookupStorm {
    public BareLookupCeiling() {
        super(true);
    }
}
