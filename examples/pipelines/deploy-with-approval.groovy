// deployModel with every group of options, and a person approving the promotion on the run's promotion page
// (Model promotion in the side panel). The step waits without holding a thread, survives a controller restart,
// and the lifecycle takes the version out when the promotion is rejected or nobody decides within the timeout
// (the step then fails; production stays). The R base comes from model.yaml's `environment` (r-base-core on the
// mmdebstrap R base, cached by the package set), so there is no baseImage here: the two together are an error.
pipeline {
    agent any // the agent needs podman and access to Debian's mirror (deb.debian.org); nothing else is installed
    options {
        timestamps()
    }
    stages {
        stage('Train mtcars') {
            steps {
                // in Debian bookworm with the R that model.yaml's environment declares, as the image has it
                sh '''podman run --rm -v "$PWD/examples/mtcars-r:/model" -w /model docker.io/library/debian:bookworm-slim \
                      sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends r-base-core >/dev/null && Rscript train.R' '''
            }
        }
        stage('Deploy mtcars') {
            steps {
                script {
                    def result = deployModel(
                            modelDir: 'examples/mtcars-r',
                            version: "${env.BUILD_NUMBER}",
                            imageRepository: 'registry.example.com/models/mtcars',
                            registryCredentialsId: 'registry-push',
                            kubeconfigCredentialsId: 'kubeconfig-prod',
                            namespace: 'models',
                            host: 'models.example.com',
                            rolloutTimeout: '15m',
                            keepPrevious: '4h',
                            smoke: [rate: 20, duration: '1m', warmup: '10s', p99Ms: 80, maxErrorRate: 0.005],
                            abTest: [challengerWeight: 20, minDuration: '10m', maxDuration: '2h', minSamples: 2000,
                                     alpha: 0.05, method: 'SEQUENTIAL', syntheticRate: 5,
                                     minimumDetectableEffect: 0.01, gate: 'NON_INFERIORITY', errorRateMargin: 0.005,
                                     sloViolationMargin: 0.01],
                            approval: [approvers: 'alice,ml-leads', timeout: '8h'],
                            eventsUri: 'amqp://rabbitmq.example.com:5672/')
                    currentBuild.description = "${result.verdict} -> ${result.outcome}: production ${result.production}" +
                            " (approved by ${result.approvedBy})"
                }
            }
        }
    }
}
