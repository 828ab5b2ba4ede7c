# kms-scim: `make run` starts the server, `make test` runs every test, `make bench` runs the load tests.
MVN ?= mvn
MVN_FLAGS ?= -B -ntp
JAVA ?= java

.PHONY: cluster cluster-stop
.PHONY: run build test bench bench-groups clean image image-test k8s-check

build:
	rm -rf target/lib
	$(MVN) $(MVN_FLAGS) -q -DskipTests package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib

run: build
	$(JAVA) -cp "target/classes:target/lib/*" io.hanzo.kms.scim.Main

test:
	$(MVN) $(MVN_FLAGS) test

bench:
	MVN="$(MVN)" JAVA="$(JAVA)" bash load-tests/run.sh

clean:
	$(MVN) $(MVN_FLAGS) -q clean

# Membership PATCH cost by group size (JMH, real server and PostgreSQL); about 5 minutes.
bench-groups:
	$(MVN) $(MVN_FLAGS) -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	$(JAVA) -cp "target/test-classes:target/classes:$$(cat target/test-classpath.txt)" org.openjdk.jmh.Main GroupPatchBenchmark -rf json -rff target/jmh-group-patch.json

# CPU of one scan of 20,000 packed users per filter, and of one sort (JMH, index alone); about 2 minutes.
.PHONY: bench-scans
bench-scans:
	$(MVN) $(MVN_FLAGS) -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	$(JAVA) -cp "target/test-classes:target/classes:$$(cat target/test-classpath.txt)" org.openjdk.jmh.Main UserScanBenchmark -prof gc -rf json -rff target/jmh-user-scan.json

# N instances on one PostgreSQL behind HAProxy on this machine, until Ctrl-C (docs/scaling.md).
N ?= 3
cluster: build
	JAVA="$(JAVA)" bash deploy/cluster/cluster.sh run $(N)

cluster-stop:
	bash deploy/cluster/cluster.sh stop
# Container image as a tarball (target/kms-scim-image.tar), no daemon or registry needed: a jlink base
# built here, then jib. IMAGE_BASE=eclipse-temurin:17-jre uses a published base instead (needs a registry).
IMAGE_BASE ?=
# Labels: the commit, and the repository it came from (any credentials in the remote URL removed).
IMAGE_LABELS = -Dimage.revision=$$(git rev-parse HEAD 2>/dev/null || echo unknown) \
	-Dimage.source=$$(git config --get remote.origin.url 2>/dev/null | sed -E 's|//[^@/]*@|//|' | grep . || echo unknown)
image: build
ifeq ($(IMAGE_BASE),)
	bash deploy/image/build-base.sh target/lib target/image-base/base.tar
	$(MVN) $(MVN_FLAGS) -q jib:buildTar $(IMAGE_LABELS)
else
	$(MVN) $(MVN_FLAGS) -q jib:buildTar -Dimage.base=$(IMAGE_BASE) $(IMAGE_LABELS)
endif

# Loads the image into podman and runs it on its embedded PostgreSQL and on an external one.
image-test: image
	bash deploy/image/image-test.sh target/kms-scim-image.tar

# Helm chart: lint, render, and validate every object against the Kubernetes schemas, offline.
k8s-check:
	bash deploy/scripts/k8s-check.sh

# Retakes the pictures of the web pages in docs/screenshots (needs chromium and chromium-driver).
.PHONY: screenshots
screenshots:
	$(MVN) $(MVN_FLAGS) test -Dtest=WebPagesIT -Dsurefire.failIfNoSpecifiedTests=false -Dkms.screenshots=docs/screenshots

# Reliability (docs/reliability.md): the kill -9 test with more kills, and the fuzzer with 100,000 cases.
CHAOS_KILLS ?= 25
FUZZ_CASES ?= 100000
.PHONY: chaos fuzz

chaos:
	$(MVN) $(MVN_FLAGS) test -Dtest=KillNineIT -Dsurefire.failIfNoSpecifiedTests=false -Dchaos.kills=$(CHAOS_KILLS)
	@cat target/chaos-summary.txt

fuzz:
	$(MVN) $(MVN_FLAGS) test -Dtest=ScimFuzzIT -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.cases=$(FUZZ_CASES) -Dfuzz.explore=true \
		-Djunit.jupiter.execution.parallel.enabled=true -Djunit.jupiter.execution.parallel.config.strategy=fixed \
		-Djunit.jupiter.execution.parallel.config.fixed.parallelism=8
	@cat target/fuzz-summary.txt

# The index's heap per user and start-up time at 1,000,000 users and 10,000,000 memberships
# (docs/benchmarks.md, "Compact index"); BENCH_INDEX_USERS sets another size. About 5 minutes.
.PHONY: index-bench
index-bench:
	MVN="$(MVN)" JAVA="$(JAVA)" BENCH_INDEX_USERS="$${BENCH_INDEX_USERS:-1000000}" bash load-tests/index-bench.sh
