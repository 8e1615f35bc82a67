// Housekeeping, outside `node` (these steps need no workspace): bring a kept version back to production, then
// remove the version that misbehaved. A rollback while a deployment is in progress ends that deployment instead.
stage('Roll back') {
    def rolledBack = rollbackModel(model: 'iris', cluster: 'prod', toVersion: '41',
            reason: 'wrong predictions for setosa since 42')
    echo "production is ${rolledBack.production}"
}
stage('Remove 42') {
    def removed = undeployModel(model: 'iris', version: '42', cluster: 'prod')
    echo "removed iris ${removed.version}; production is ${removed.production}"
}
