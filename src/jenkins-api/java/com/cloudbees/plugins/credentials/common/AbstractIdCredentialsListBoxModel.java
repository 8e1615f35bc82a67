// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:credentials 1511.v2e3cb_0008ef0 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/credentials-plugin master d96751bc (the newest commit in the mirror, after tag 1502.v5c95e620ddfe; tag 1511.v2e3cb_0008ef0 is not in it),
// src/main/java/com/cloudbees/plugins/credentials/common/AbstractIdCredentialsListBoxModel.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// includeEmptyValue and includeCurrentValue do what the real ones do (AbstractIdCredentialsListBoxModel.java:171-180,
// :579-592: the empty option first, the current value kept so a form saves unchanged); includeMatchingAs adds
// nothing here, as there are no credentials stores offline (the real one adds what
// CredentialsProvider.listCredentialsInItem finds, :525-534). Option labels are the English messages.
// describe(C), with/withAll/withMatching/include/includeAs and the acegi overloads are omitted.
package com.cloudbees.plugins.credentials.common;

import com.cloudbees.plugins.credentials.CredentialsMatcher;
import com.cloudbees.plugins.credentials.domains.DomainRequirement;
import hudson.model.Item;
import hudson.util.ListBoxModel;
import java.util.List;
import org.springframework.security.core.Authentication;

public abstract class AbstractIdCredentialsListBoxModel<T extends AbstractIdCredentialsListBoxModel<T, C>,
        C extends IdCredentials> extends ListBoxModel {
    public AbstractIdCredentialsListBoxModel<T, C> includeEmptyValue() {
        for (Option a : this) {
            if ("".equals(a.value)) {
                return this;
            }
        }
        add(0, new Option("- none -", ""));
        return this;
    }

    public AbstractIdCredentialsListBoxModel<T, C> includeMatchingAs(Authentication authentication, Item context,
            Class<? extends C> type, List<DomainRequirement> domainRequirements, CredentialsMatcher matcher) {
        return this;
    }

    public AbstractIdCredentialsListBoxModel<T, C> includeCurrentValue(String value) {
        if (value == null || value.isEmpty()) {
            return includeEmptyValue();
        }
        for (Option a : this) {
            if (value.equals(a.value)) {
                return this;
            }
        }
        int index = isEmpty() ? 0 : "".equals(get(0).value) ? 1 : 0;
        add(index, new Option("- current -", value));
        return this;
    }
}
