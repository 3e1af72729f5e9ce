# Remote state of dev, in that account's state bucket (created once by the bootstrap; see README).
bucket       = "domain-project-tfstate-dev"
key          = "domain-project/dev/terraform.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
