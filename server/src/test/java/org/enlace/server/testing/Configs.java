package org.enlace.server.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.enlace.server.app.EnlaceConfiguration;

/**
 * A config section read from YAML as Dropwizard reads it, and its validation errors by field; the
 * whole server configuration loaded as the server loads it.
 */
public final class Configs {
  public static final ObjectMapper YAML = Jackson.newObjectMapper(new YAMLFactory());
  public static final Validator VALIDATOR = Validators.newValidator();

  private Configs() {}

  public static <T> T read(String yaml, Class<T> type) {
    try {
      return YAML.readValue(yaml, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Property path → message; empty when valid. */
  public static Map<String, String> errors(Object config) {
    Map<String, String> out = new TreeMap<>();
    for (ConstraintViolation<Object> v : VALIDATOR.validate(config)) {
      out.merge(v.getPropertyPath().toString(), v.getMessage(), (a, b) -> a + "; " + b);
    }
    return out;
  }

  /** Dropwizard's factory for the server's configuration (defaults, validation, {@code dw.}). */
  public static ConfigurationFactory<EnlaceConfiguration> factory() {
    return new DefaultConfigurationFactoryFactory<EnlaceConfiguration>()
        .create(EnlaceConfiguration.class, VALIDATOR, Jackson.newObjectMapper(), "dw");
  }

  /** The shipped config.yml (the module's), with the server's environment substitution. */
  public static File shippedConfig() {
    return new File(System.getProperty("user.dir"), "config.yml");
  }

  /** The shipped config.yml loaded as the server loads it. */
  public static EnlaceConfiguration loadShipped() throws Exception {
    return factory()
        .build(
            new SubstitutingSourceProvider(
                new FileConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)),
            shippedConfig().getPath());
  }

  /** A server configuration file with this content, loaded (no substitution). */
  public static EnlaceConfiguration load(String yaml) throws Exception {
    Path f = Files.createTempFile("enlace", ".yml");
    try {
      Files.writeString(f, yaml);
      return factory().build(new FileConfigurationSourceProvider(), f.toString());
    } finally {
      Files.delete(f);
    }
  }
}
