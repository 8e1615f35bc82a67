// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/jenkins/model/IdStrategy.java.
// FAITHFUL SEMANTICS (the approval tests depend on them): equals(String, String) is compare(..) == 0 (:123-125);
// CASE_INSENSITIVE is a CaseInsensitive, whose equals is String.equalsIgnoreCase (:214-216); CaseSensitive's is
// String.equals (:255-257). Describable/ExtensionPoint supertypes, filenameOf, keyFor, descriptors omitted.
package jenkins.model;

public abstract class IdStrategy {
    public static IdStrategy CASE_INSENSITIVE = new CaseInsensitive();

    public boolean equals(String id1, String id2) {
        return compare(id1, id2) == 0;
    }

    public abstract int compare(String id1, String id2);

    public static class CaseInsensitive extends IdStrategy {
        public CaseInsensitive() {}

        @Override
        public boolean equals(String id1, String id2) {
            return id1.equalsIgnoreCase(id2);
        }

        @Override
        public int compare(String id1, String id2) {
            return id1.compareToIgnoreCase(id2);
        }
    }

    public static class CaseSensitive extends IdStrategy {
        public CaseSensitive() {}

        @Override
        public boolean equals(String id1, String id2) {
            return id1.equals(id2);
        }

        @Override
        public int compare(String id1, String id2) {
            return id1.compareTo(id2);
        }
    }
}
