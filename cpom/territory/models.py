from django.db import models


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=2, primary_key=True)
    name = models.CharField("nom", max_length=100, unique=True)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name="région")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"
