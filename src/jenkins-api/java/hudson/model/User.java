// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/User.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes and the real constructor omitted.
// FAITHFUL SEMANTICS (the approval tests depend on them):
// - current() is get2(Jenkins.getAuthentication2()) (:646-648): null for anonymous, else the user of that name.
// - getAuthorities() returns an EMPTY list unless the CALLER holds Jenkins.ADMINISTER (:985-988) -- so a group
//   check built on it never matches for anyone else. For an administrator the real method impersonates the user
//   through the security realm (:989-1003), which the offline build cannot do: it throws.
package hudson.model;

import java.util.Collections;
import java.util.List;
import jenkins.model.Jenkins;
import org.springframework.security.core.Authentication;

public class User {
    private final String id;

    private User(String id) {
        this.id = id;
    }

    public static User current() {
        Authentication a = Jenkins.getAuthentication2();
        return a == Jenkins.ANONYMOUS2 || "anonymous".equals(a.getName()) ? null : new User(a.getName());
    }

    public String getId() {
        return id;
    }

    public List<String> getAuthorities() {
        if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
            return Collections.emptyList();
        }
        throw new UnsupportedOperationException("signature only: impersonate2() needs the security realm");
    }
}
