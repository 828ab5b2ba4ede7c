package io.hanzo.kms.scim.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.unboundid.scim2.client.ScimService;
import com.unboundid.scim2.common.exceptions.ResourceConflictException;
import com.unboundid.scim2.common.exceptions.ResourceNotFoundException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.messages.ListResponse;
import com.unboundid.scim2.common.messages.PatchOperation;
import com.unboundid.scim2.common.messages.PatchRequest;
import com.unboundid.scim2.common.types.AuthenticationScheme;
import com.unboundid.scim2.common.types.Email;
import com.unboundid.scim2.common.types.EnterpriseUserExtension;
import com.unboundid.scim2.common.types.Name;
import com.unboundid.scim2.common.types.ServiceProviderConfigResource;
import com.unboundid.scim2.common.types.UserResource;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.ClientRequestFilter;
import org.glassfish.jersey.client.ClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

/** The server driven by Ping Identity's (UnboundID) SCIM 2 SDK, as an IdP built on it would. */
@ExtendWith(VertxExtension.class)
class ScimSdkClientIT {
    private static final String ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    private static ApiClient client;
    private static Client jaxrs;
    private static ScimService scim;

    @BeforeAll
    static void start(Vertx vertx) {
        client = new ApiClient(vertx, TestServer.shared().port());
        TestOrg org = TestOrg.create(client, "SCIM SDK");
        String token = org.token();
        jaxrs = ClientBuilder.newBuilder()
                .withConfig(new ClientConfig().connectorProvider(new JdkHttpConnector.Provider()))
                .build();
        jaxrs.register((ClientRequestFilter) request -> request.getHeaders().putSingle("Authorization", "Bearer " + token));
        scim = new ScimService(jaxrs.target(TestServer.shared().baseUrl() + TestOrg.SCIM));
    }

    @AfterAll
    static void stop() {
        if (jaxrs != null) {
            jaxrs.close();
        }
        client.close();
    }

    private static UserResource newUser(String userName, String workEmail) {
        UserResource u = new UserResource();
        u.setUserName(userName);
        u.setExternalId("ext-" + userName);
        u.setName(new Name().setGivenName("Sam").setFamilyName("Sdk").setFormatted("Sam Sdk"));
        u.setDisplayName("Sam Sdk");
        u.setActive(true);
        u.setEmails(List.of(new Email().setValue(workEmail).setType("work").setPrimary(true)));
        u.setExtension(new EnterpriseUserExtension().setEmployeeNumber("E-1001").setDepartment("Platform"));
        return u;
    }

    @Test
    void serviceProviderConfigIsReadable() throws ScimException {
        ServiceProviderConfigResource spc = scim.getServiceProviderConfig();
        assertThat(spc.getPatch().isSupported()).isTrue();
        assertThat(spc.getFilter().isSupported()).isTrue();
        assertThat(spc.getFilter().getMaxResults()).isPositive();
        assertThat(spc.getBulk().isSupported()).isTrue();
        assertThat(spc.getBulk().getMaxOperations()).isEqualTo(1000);
        assertThat(spc.getSort().isSupported()).isTrue();
        assertThat(spc.getEtag().isSupported()).isTrue();
        assertThat(spc.getChangePassword().isSupported()).isFalse();
        List<String> types = new ArrayList<>();
        for (AuthenticationScheme s : spc.getAuthenticationSchemes()) {
            types.add(s.getType());
        }
        assertThat(types).contains("oauthbearertoken");
    }

    @Test
    void resourceTypesAndSchemasAreReadable() throws ScimException {
        List<String> types = new ArrayList<>();
        scim.getResourceTypes().forEach(t -> types.add(t.getName()));
        assertThat(types).contains("User");
        assertThat(scim.getResourceType("User").getEndpoint().toString()).isEqualTo("/Users");
        assertThat(scim.getResourceType("User").getSchema().toString()).isEqualTo("urn:ietf:params:scim:schemas:core:2.0:User");
        List<String> schemas = new ArrayList<>();
        scim.getSchemas().forEach(s -> schemas.add(s.getId()));
        assertThat(schemas).contains("urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE);
        assertThat(scim.getSchema("urn:ietf:params:scim:schemas:core:2.0:User").getAttributes()).isNotEmpty();
    }

    @Test
    void userLifecycle() throws ScimException {
        String userName = "sam.sdk@example.com";
        String workEmail = "sam.work@example.com";

        UserResource created = scim.create("Users", newUser(userName, workEmail));
        String id = created.getId();
        assertThat(id).isNotBlank();
        assertThat(created.getUserName()).isEqualTo(userName);
        assertThat(created.getExternalId()).isEqualTo("ext-" + userName);
        assertThat(created.getName().getGivenName()).isEqualTo("Sam");
        assertThat(created.getName().getFamilyName()).isEqualTo("Sdk");
        assertThat(created.getActive()).isTrue();
        assertThat(created.getEmails()).hasSize(1);
        assertThat(created.getEmails().get(0).getValue()).isEqualTo(workEmail);
        assertThat(created.getEmails().get(0).getType()).isEqualTo("work");
        assertThat(created.getSchemaUrns()).contains("urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE);
        EnterpriseUserExtension createdExt = created.getExtension(EnterpriseUserExtension.class);
        assertThat(createdExt).isNotNull();
        assertThat(createdExt.getEmployeeNumber()).isEqualTo("E-1001");
        assertThat(createdExt.getDepartment()).isEqualTo("Platform");
        assertThat(created.getMeta()).isNotNull();
        assertThat(created.getMeta().getResourceType()).isEqualTo("User");
        assertThat(created.getMeta().getLocation().toString())
                .isEqualTo(TestServer.shared().baseUrl() + TestOrg.SCIM + "/Users/" + id);

        UserResource retrieved = scim.retrieve("Users", id, UserResource.class);
        assertThat(retrieved.getId()).isEqualTo(id);
        assertThat(retrieved.getUserName()).isEqualTo(userName);
        assertThat(retrieved.getExtension(EnterpriseUserExtension.class).getDepartment()).isEqualTo("Platform");
        assertThat(scim.retrieve(retrieved).getId()).isEqualTo(id);

        ListResponse<UserResource> byUserName = scim.searchRequest("Users")
                .filter(Filter.eq("userName", userName))
                .invoke(UserResource.class);
        assertThat(byUserName.getTotalResults()).isEqualTo(1);
        assertThat(byUserName.getResources()).hasSize(1);
        assertThat(byUserName.getResources().get(0).getId()).isEqualTo(id);

        ListResponse<UserResource> byEmail = scim.searchRequest("Users")
                .filter("emails.value eq \"" + workEmail + "\"")
                .page(1, 10)
                .invoke(UserResource.class);
        assertThat(byEmail.getTotalResults()).isEqualTo(1);
        assertThat(byEmail.getResources().get(0).getId()).isEqualTo(id);

        ListResponse<UserResource> byBoth = scim.searchRequest("Users")
                .filter(Filter.and(Filter.eq("userName", userName), Filter.eq("emails.type", "work")))
                .invoke(UserResource.class);
        assertThat(byBoth.getTotalResults()).isEqualTo(1);

        ListResponse<UserResource> none = scim.search("Users", Filter.eq("userName", "nobody@example.com").toString(),
                UserResource.class);
        assertThat(none.getTotalResults()).isZero();

        retrieved.setDisplayName("Samuel Sdk");
        retrieved.setTitle("Staff Engineer");
        retrieved.setName(new Name().setGivenName("Samuel").setFamilyName("Sdk"));
        retrieved.setExtension(new EnterpriseUserExtension().setEmployeeNumber("E-1001").setDepartment("Security"));
        UserResource replaced = scim.replace(retrieved);
        assertThat(replaced.getId()).isEqualTo(id);
        assertThat(replaced.getDisplayName()).isEqualTo("Samuel Sdk");
        assertThat(replaced.getTitle()).isEqualTo("Staff Engineer");
        assertThat(replaced.getName().getGivenName()).isEqualTo("Samuel");
        assertThat(replaced.getExtension(EnterpriseUserExtension.class).getDepartment()).isEqualTo("Security");
        assertThat(replaced.getActive()).isTrue();
        assertThat(scim.retrieve("Users", id, UserResource.class).getTitle()).isEqualTo("Staff Engineer");

        ArrayNode homeEmail = JsonNodeFactory.instance.arrayNode();
        homeEmail.addObject().put("value", "sam.home@example.com").put("type", "home");
        UserResource modified = scim.modify("Users", id, new PatchRequest(
                PatchOperation.replace("active", false),
                PatchOperation.add("emails", homeEmail)), UserResource.class);
        assertThat(modified.getActive()).isFalse();
        List<String> emails = new ArrayList<>();
        modified.getEmails().forEach(e -> emails.add(e.getValue()));
        assertThat(emails).containsExactlyInAnyOrder(workEmail, "sam.home@example.com");

        UserResource afterPatch = scim.retrieve("Users", id, UserResource.class);
        assertThat(afterPatch.getActive()).isFalse();
        assertThat(afterPatch.getEmails()).hasSize(2);
        assertThat(scim.searchRequest("Users").filter("emails.value eq \"sam.home@example.com\"")
                .invoke(UserResource.class).getTotalResults()).isEqualTo(1);

        UserResource viaBuilder = scim.modifyRequest("Users", id)
                .replaceValue("title", "Principal Engineer")
                .invoke(UserResource.class);
        assertThat(viaBuilder.getTitle()).isEqualTo("Principal Engineer");
        assertThat(viaBuilder.getActive()).isFalse();

        scim.delete("Users", id);

        ResourceNotFoundException notFound = catchThrowableOfType(ResourceNotFoundException.class,
                () -> scim.retrieve("Users", id, UserResource.class));
        assertThat(notFound).isNotNull();
        assertThat(notFound.getScimError().getStatus()).isEqualTo(404);
        assertThat(scim.searchRequest("Users").filter(Filter.eq("userName", userName))
                .invoke(UserResource.class).getTotalResults()).isZero();
        assertThatThrownBy(() -> scim.delete("Users", id)).isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void duplicateUserNameIsAUniquenessConflict() throws ScimException {
        UserResource first = scim.create("Users", newUser("dup.sdk@example.com", "dup.sdk@example.com"));
        assertThat(first.getId()).isNotBlank();

        ScimException conflict = catchThrowableOfType(ScimException.class,
                () -> scim.create("Users", newUser("DUP.sdk@example.com", "other.dup@example.com")));
        assertThat(conflict).isNotNull();
        assertThat(conflict).isInstanceOf(ResourceConflictException.class);
        assertThat(conflict.getScimError().getStatus()).isEqualTo(409);
        assertThat(conflict.getScimError().getScimType()).isEqualTo("uniqueness");
        assertThat(conflict.getScimError().getDetail()).isNotBlank();

        assertThat(scim.searchRequest("Users").filter(Filter.eq("userName", "dup.sdk@example.com"))
                .invoke(UserResource.class).getTotalResults()).isEqualTo(1);
    }
}
