# kms-scim: `make run` starts the server, `make test` runs every test, `make bench` runs the load tests.
MVN ?= mvn
MVN_FLAGS ?= -B -ntp
JAVA ?= java

.PHONY: run build test bench bench-groups clean

build:
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

# Reliability (docs/reliability.md): the kill -9 test with more kills, and the fuzzer with 100,000 cases.
CHAOS_KILLS ?= 25
FUZZ_CASES ?= 100000
.PHONY: chaos fuzz

chaos:
	$(MVN) $(MVN_FLAGS) test -Dtest=KillNineIT -Dsurefire.failIfNoSpecifiedTests=false -Dchaos.kills=$(CHAOS_KILLS)
	@cat target/chaos-summary.txt

fuzz:
	$(MVN) $(MVN_FLAGS) test -Dtest=ScimFuzzIT -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.cases=$(FUZZ_CASES) \
		-Djunit.jupiter.execution.parallel.enabled=true -Djunit.jupiter.execution.parallel.config.strategy=fixed \
		-Djunit.jupiter.execution.parallel.config.fixed.parallelism=8
	@cat target/fuzz-summary.txt
