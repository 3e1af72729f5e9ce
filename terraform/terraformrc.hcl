# Terraform CLI configuration for machines with a provider mirror at /opt/tf-plugins (CI here,
# offline laptops). The Justfile sets TF_CLI_CONFIG_FILE to this file when that directory exists;
# elsewhere Terraform uses the public registry as usual.
provider_installation {
  filesystem_mirror {
    path    = "/opt/tf-plugins"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
