"""Step Functions actions moto lacks."""
