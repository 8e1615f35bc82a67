// The same path as finer steps, for pipelines that want control between the phases: the A/B verdict decides in the
// Jenkinsfile, and the promotion waits for approval outside `node`, so no agent executor is kept while a person
// decides (deployModel needs the workspace, so its approval wait sits inside `node`).
def rollout
node {
    checkout scm
    def image
    stage('Build image') {
        image = buildModelImage(modelDir: 'examples/iris-python', imageRepository: 'registry.example.com/models/iris',
                registryCredentialsId: 'registry-push')
        echo "built ${image.image} (${image.layersPushed} layers pushed)"
    }
    stage('Roll out') {
        rollout = rolloutModel(modelDir: 'examples/iris-python', image: image.image, version: image.version,
                cluster: 'prod', rolloutTimeout: '10m')
    }
    stage('Smoke test') {
        def smoke = smokeTestModel(model: 'iris', version: rollout.version, endpoint: rollout.endpoint, modelDir: 'models/iris', cluster: 'prod',
                smoke: [rate: 50, duration: '30s'], failOnViolation: true)
        echo "p99 ${smoke.p99Ms} ms at ${smoke.achievedRate} req/s"
    }
    stage('A/B test') {
        def ab = abTestModel(model: 'iris', challenger: rollout.version, cluster: 'prod', sloP99Ms: 50,
                abTest: [challengerWeight: 10, maxDuration: '30m'])
        if (ab.verdict == 'ROLLBACK') {
            rollbackModel(model: 'iris', cluster: 'prod', reason: "A/B: ${ab.reasons.join('; ')}")
            error "iris ${rollout.version} lost its A/B test"
        }
    }
}
stage('Promote') {
    promoteModel(model: 'iris', version: rollout.version, cluster: 'prod',
            approval: [approvers: 'ml-leads', timeout: '4h'])
}
