// The same path as finer steps, for pipelines that want control between the phases. Each step is one step of the
// lifecycle (docs/lifecycle.md), which acts on its result by itself: a failed smoke test or a lost or inconclusive A/B
// test has already taken the version out when the step returns, so the Jenkinsfile only reads `outcome` (null while
// the run goes on). The promotion waits for approval outside `node`, so no agent executor is kept while a person
// decides (deployModel needs the workspace, so its approval wait sits inside `node`). The agent needs podman and access
// to Debian's mirror (training container, mmdebstrap base of model.yaml's `environment`); nothing else is installed.
def rollout
def firstRelease = false
node {
    checkout scm
    def image
    stage('Train') {
        // in Debian bookworm with the packages model.yaml's environment declares (python3-sklearn), as the image has
        sh '''podman run --rm -v "$PWD/examples/iris-python:/model" -w /model docker.io/library/debian:bookworm-slim \
              sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-sklearn >/dev/null && python3 train.py' '''
    }
    stage('Build image') {
        image = buildModelImage(modelDir: 'examples/iris-python', imageRepository: 'registry.example.com/models/iris',
                registryCredentialsId: 'registry-push')
        echo "built ${image.image} (${image.layersPushed} layers pushed)"
    }
    stage('Roll out') {
        rollout = rolloutModel(modelDir: 'examples/iris-python', image: image.image, version: image.version,
                cluster: 'prod', rolloutTimeout: '10m', keepPrevious: '2h')
    }
    stage('Smoke test') {
        // fails the build on a violation; the lifecycle has taken the version out by then
        def smoke = smokeTestModel(model: 'iris', version: rollout.version, endpoint: rollout.endpoint,
                modelDir: 'examples/iris-python', cluster: 'prod', smoke: [rate: 50, duration: '30s'])
        echo "p99 ${smoke.p99Ms} ms at ${smoke.achievedRate} req/s"
        firstRelease = smoke.outcome == 'PROMOTED' // no production version yet: promoted without an A/B test
    }
    if (!firstRelease) {
        stage('A/B test') {
            def ab = abTestModel(model: 'iris', challenger: rollout.version, modelDir: 'examples/iris-python',
                    cluster: 'prod', abTest: [challengerWeight: 10, maxDuration: '30m', gate: 'NON_INFERIORITY',
                                              errorRateMargin: 0.005])
            echo "A/B verdict ${ab.verdict}: ${ab.reasons.join('; ')}"
            if (ab.outcome != null) {
                // ROLLBACK or INCONCLUSIVE: the challenger is already taken out and production stays as it was
                error "iris ${rollout.version} ended ${ab.outcome}; production is ${ab.production}"
            }
        }
    }
}
if (!firstRelease) {
    stage('Promote') {
        def promoted = promoteModel(model: 'iris', version: rollout.version, cluster: 'prod',
                approval: [approvers: 'ml-leads', timeout: '4h'])
        echo "production is ${promoted.production} (was ${promoted.previous})"
    }
}
