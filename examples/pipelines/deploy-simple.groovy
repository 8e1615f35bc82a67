// The whole path in one step: build the image, roll it out, smoke-test it, A/B-test it against production and
// promote it when the verdict is PROMOTE (without an approval block, at once). Any other end — failed smoke test,
// ROLLBACK, INCONCLUSIVE — takes the version out and fails the step; production stays. The cluster, registry and
// event bus come from Manage Jenkins > System > Model deploy; the version defaults to the build number.
pipeline {
    agent any
    stages {
        stage('Deploy iris') {
            steps {
                script {
                    def result = deployModel(modelDir: 'examples/iris-python', cluster: 'prod')
                    echo "iris ${result.version}: ${result.imageDigest}, smoke p99 ${result.smoke.p99Ms} ms, " +
                            "verdict ${result.verdict}, production now ${result.promotedVersion}"
                }
            }
        }
    }
}
