// Train, then the whole path in one step: build the image, verify it, roll it out, smoke-test it, A/B-test it
// against production and promote it when the verdict is PROMOTE (without an approval block, at once). Any other end
// — failed verification or smoke test, ROLLBACK, INCONCLUSIVE — takes the version out (or never rolls it out) and
// fails the step; production stays. The cluster, registry and event bus come from Manage Jenkins > System > Model
// deploy; the version defaults to the build number; the base image and dependencies come from model.yaml's
// `environment` (python3-sklearn on the mmdebstrap python base).
pipeline {
    agent any // the agent needs podman and access to Debian's mirror (deb.debian.org); nothing else is installed
    stages {
        stage('Train iris') {
            steps {
                // in a Debian bookworm container with exactly the packages model.yaml's environment declares, so the
                // pickle is written by the scikit-learn the image will load it with
                sh '''podman run --rm -v "$PWD/examples/iris-python:/model" -w /model docker.io/library/debian:bookworm-slim \
                      sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-sklearn >/dev/null && python3 train.py' '''
            }
        }
        stage('Deploy iris') {
            steps {
                script {
                    // verify: true is the default: the built image is started with podman (or the resolved
                    // environment locally) and must answer the model's samples before anything is pushed or rolled out
                    def result = deployModel(modelDir: 'examples/iris-python', cluster: 'prod', verify: true)
                    echo "iris ${result.version}: ${result.imageDigest}, smoke p99 ${result.smoke.p99Ms} ms, " +
                            "verdict ${result.verdict}, production now ${result.promotedVersion}"
                }
            }
        }
    }
}
