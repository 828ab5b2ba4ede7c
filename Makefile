# kms-scim: `make run` starts the server, `make test` runs every test, `make bench` runs the load tests.
MVN ?= mvn
MVN_FLAGS ?= -B -ntp
JAVA ?= java

.PHONY: run build test bench clean

build:
	$(MVN) $(MVN_FLAGS) -q -DskipTests package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib

run: build
	$(JAVA) -cp "target/classes:target/lib/*" io.hanzo.kms.scim.Main

test:
	$(MVN) $(MVN_FLAGS) test

bench:
	@if [ -f load-tests/run.sh ]; then bash load-tests/run.sh; else echo "The load tests are not written yet (see load-tests/README.md)."; exit 1; fi

clean:
	$(MVN) $(MVN_FLAGS) -q clean
