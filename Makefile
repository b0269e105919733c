# Zama API Platform kit. `make` (or `make help`) lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Image names recorded by `make images` (registry-less builds), for the recipes; a variable set
# in the environment wins. The scripts and the TypeScript take the rest from versions.env.
$(foreach assignment,$(shell scripts/recorded-images.sh),$(eval export $(assignment)))

# The reaper image testcontainers starts by default cannot be had without a registry;
# the suites stop and remove their own containers instead.
export TESTCONTAINERS_RYUK_DISABLED ?= true
# Extra flags for Jest (CI passes --json --outputFile=... to collect a summary).
JEST_FLAGS ?=

INSTALL_STAMP := node_modules/.install-stamp

.PHONY: help
help: ## List the targets (bold names only on a terminal)
	@if [ -t 1 ]; then bold=$$'\033[1m' plain=$$'\033[0m'; else bold= plain=; fi; \
	awk -v bold="$$bold" -v plain="$$plain" 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  %s%-14s%s %s\n", bold, $$1, plain, $$2}' $(MAKEFILE_LIST)

$(INSTALL_STAMP): package.json package-lock.json api/package.json infra/package.json localstack/package.json console/package.json e2e/package.json
	@scripts/require-node.sh
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: install
install: $(INSTALL_STAMP) ## Install the npm dependencies of every workspace (npm ci)

.PHONY: build
build: install ## Compile every workspace (TypeScript -> dist/)
	@scripts/require-node.sh
	npx tsc -b
	node console/build-web.mjs

.PHONY: lint
lint: install ## Biome (format and lint), shellcheck, package boundaries and import cycles, and a type-check of every workspace
	npx biome check .
	@command -v shellcheck >/dev/null || { echo "error: shellcheck is not installed: apt-get install -y shellcheck (or brew install shellcheck)" >&2; exit 1; }
	shellcheck scripts/*.sh api/scripts/*.sh .ci/run
	node scripts/check-imports.mjs
	npx dpdm --no-tree --no-warning --no-progress --transform --exit-code circular:1 'api/src/**/*.ts' infra/index.ts 'infra/{bin,lib,scripts}/**/*.ts' 'localstack/src/**/*.ts' 'console/src/**/*.ts' 'e2e/src/**/*.ts'
	npm run typecheck --workspaces --if-present

.PHONY: test
test: install ## Unit, template and integration tests: everything that needs no Docker
	npx jest --selectProjects api infra localstack console $(JEST_FLAGS)

.PHONY: e2e
e2e: build ## End-to-end suites against real containers (Docker; AWS_EMULATOR=localstack|moto)
	@scripts/require-docker.sh --compose-cli
	@api/scripts/build-image.sh $(API_IMAGE) >/dev/null
	npx jest --selectProjects e2e --runInBand $(JEST_FLAGS)

.PHONY: local-up
local-up: build ## Start the whole platform locally (emulator, CDK deploy, api tasks, simulated ALB)
	@scripts/local-up.sh

.PHONY: console-screenshot
console-screenshot: ## Make docs/images/console.png again: the console suite's screenshot (Docker, Chromium; AWS_EMULATOR)
	$(MAKE) e2e JEST_FLAGS="--runTestsByPath e2e/test/console.test.ts"
	mkdir -p docs/images
	cp .local/ci/console-$${AWS_EMULATOR:-localstack}.png docs/images/console.png

.PHONY: local-down
local-down: ## Stop the local platform and remove its containers, networks and volumes
	@scripts/local-down.sh

.PHONY: local-status
local-status: ## Show the local platform's containers, endpoints and ALB target health
	@scripts/local-status.sh

.PHONY: local-restart
local-restart: build ## Restart the api tasks one by one like an ECS deployment, without dropping requests
	@scripts/local-restart.sh

.PHONY: reload-keys
reload-keys: build ## Apply API keys rotated in Secrets Manager: the gateway, then the api tasks one by one
	@scripts/reload-keys.sh

.PHONY: api-key
api-key: ## Print the demo API key from the running platform's Secrets Manager (no AWS CLI needed)
	@scripts/api-key.sh

.PHONY: alerts
alerts: ## Print the alarm notifications the local alerts inbox received (time, alarm, old -> new state, reason)
	@scripts/local-alerts.sh

.PHONY: logs
logs: ## Follow the logs of the local platform
	@scripts/local-logs.sh

.PHONY: synth
synth: install ## Synthesize the four stacks into infra/cdk.out (offline, no credentials)
	npm run --silent synth -w infra

.PHONY: deploy-local
deploy-local: install ## Deploy the stacks into a running emulator (AWS_ENDPOINT_URL, default http://127.0.0.1:4566)
	AWS_ENDPOINT_URL=$${AWS_ENDPOINT_URL:-http://127.0.0.1:4566} npm run --silent deploy:local -w @zama/localstack

.PHONY: diff-aws
diff-aws: install ## cdk diff against your AWS account (PLATFORM_PROFILE=dev|prod, STACK=<stack>)
	npm run --silent diff:aws -w infra -- $(STACK) $(CDK_ARGS)

.PHONY: deploy-aws
deploy-aws: install ## cdk deploy to your AWS account (PLATFORM_PROFILE=dev|prod, STACK=<stack>; no prompt with CI=true or APPROVAL=never)
	npm run --silent deploy:aws -w infra -- $(STACK) $(CDK_ARGS)

.PHONY: check-templates
check-templates: install ## cfn-lint and checkov on the synthesized dev and prod templates (offline)
	@scripts/provide-template-checkers.sh
	cd infra && npx tsx bin/template-checks.ts

.PHONY: integ-aws
integ-aws: install ## Deploy dev under a unique prefix to your AWS account, check it, destroy it (SKIPPED without credentials)
	cd infra && npx tsx bin/integ-aws.ts

.PHONY: bench-api
bench-api: build ## Benchmark the API against a bare node:http server (req/s, p50, p99)
	npm run --silent bench -w api

.PHONY: bench-local
bench-local: build ## Benchmark the local platform: time to healthy, idle memory, ALB vs direct req/s and p99
	npm run --silent bench:local -w localstack

.PHONY: bench-alb
bench-alb: build ## Benchmark the simulated ALB against HAProxy and direct: req/s, p50, p99, CPU per request
	npm run --silent bench:alb -w localstack

.PHONY: bench-synth
bench-synth: install ## Benchmark synthesis of the four stacks (wall time, resources per stack)
	npm run --silent bench:synth -w infra

.PHONY: images
images: install ## Build every image without a registry (debootstrap + host packages; needs root)
	scripts/build-images.sh

.PHONY: api-image
api-image: install ## Build the local API image zama/api:local: the service bundled on the host, then docker build (NODE_IMAGE as base)
	api/scripts/build-image.sh $(API_IMAGE)

.PHONY: build-image-assets
build-image-assets: install ## Synthesize dev (or PLATFORM_PROFILE) and build its Docker image assets as cdk deploy would, without pushing (NODE_IMAGE as base)
	cd infra && npx tsx bin/build-image-assets.ts --profile $${PLATFORM_PROFILE:-dev} $${NODE_IMAGE:+--build-arg NODE_IMAGE=$$NODE_IMAGE}

.PHONY: clean
clean: ## Remove build output, the cloud assembly and containers left by the e2e suites
	rm -rf api/dist infra/dist localstack/dist console/dist infra/cdk.out coverage .local/ci
	@if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then \
	  ids=$$(docker ps -aq --filter label=org.zama.e2e=true); \
	  if [ -n "$$ids" ]; then docker rm -f $$ids >/dev/null; echo "removed e2e containers"; fi; \
	fi
